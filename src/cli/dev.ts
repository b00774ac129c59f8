import { existsSync } from 'node:fs';
import path from 'node:path';
import { decoratorMetadataSource, describeDecoratorMetadata } from '../config/decorator-metadata.js';
import { fixedPortWarning } from '../config/fixed-port.js';
import { createHot, type HotApp, type HotControls } from '../hot.js';
import { loadConfig } from '../config/load.js';
import { CONFIG_FILE_NAME, type CliOverrides, type ResolvedConfig } from '../config/schema.js';
import { captureReads, discardEarly, EARLY_START_KEY, stampOf, type EarlyStart, type Reads, type Stamp } from '../early-start.js';
import { ConfigError } from '../errors.js';
import type { HotEventOf, PackageEvent } from '../events.js';
import { findInternalPackages } from '../workspace/internal-packages.js';
import { createLogger, type Logger, type LogLevel } from '../ui/logger.js';
import { buildFailedAfter, writeTypeErrors } from '../ui/report.js';
import { canClearScreen, CLEAR_SCREEN } from '../ui/shortcuts.js';
import type { Workspace } from '../workspace/packages.js';
import { detectedOverrides, type Detected } from './detected-entry.js';
import { fail } from './fail.js';
import { configPathOf, filtersOf, logLevelOf, toOverrides, useColor, type CliFlags } from './flags.js';
import { createJsonWriter } from './json.js';
import { copyOutputTo } from './log-file.js';
import { listenForShortcuts, wantsShortcuts } from './shortcuts.js';
import { handleSignals } from './signals.js';
import { checkWorkspaceSetUp, findWorkspace, runsPackages } from './workspace-root.js';

/** What the command line needs of a running hot, a single app and a workspace alike. */
interface DevSession extends HotControls {
  onEvent(listener: (event: PackageEvent) => void): void;
}

/** A plain object (the shortcuts spread it) over a running hot's controls. */
function sessionOf(target: HotControls, onEvent: DevSession['onEvent']): DevSession {
  return {
    ready: target.ready,
    restart: (reason) => target.restart(reason),
    build: (reason) => target.build(reason),
    pause: () => target.pause(),
    resume: () => target.resume(),
    close: () => target.close(),
    kill: () => target.kill(),
    onEvent,
  };
}

interface Terminal {
  logger: Logger;
  color: boolean;
  json: boolean;
  shortcuts: boolean;
}

/** `hot [entry]`, `hot dev`: the app in cwd, or at a workspace root its packages. */
export function runDev(entry: string | undefined, flags: CliFlags): void {
  const early = takeEarlyStart();
  // What resolving the config reads decides how the program starts: the next run's launcher checks it.
  const capture = early?.file ? captureReads() : null;
  try {
    runDevCaptured(entry, flags, early && capture ? { early, stopCapture: capture.stop } : undefined);
  } finally {
    capture?.stop();
  }
}

interface Early {
  early: EarlyStart;
  stopCapture(): Reads;
}

function runDevCaptured(entry: string | undefined, flags: CliFlags, early: Early | undefined): void {
  const color = useColor(flags);
  const logger = createLogger({ level: logLevelOf(flags), color });
  const cwd = process.cwd();
  const overrides = toOverrides(entry, flags);
  const configPath = configPathOf(flags);
  const filters = filtersOf(flags);
  const explicit = entry !== undefined || overrides.command !== undefined || configPath !== undefined;
  if (explicit && filters.length > 0) throw new ConfigError('--filter cannot be combined with an entry file, a command after -- or --config');
  const workspace = explicit ? null : findWorkspace(cwd);
  if (workspace && (filters.length > 0 || runsPackages(workspace, cwd))) {
    if (early) discardEarly(early.early);
    runWorkspace(workspace, filters, overrides, { logger, color, json: flags.json === true, level: logLevelOf(flags) });
    return;
  }
  if (filters.length > 0) {
    throw new ConfigError('--filter works at a workspace root, and there is none here', {
      hint: 'run it where package.json has "workspaces" (npm, yarn) or next to pnpm-workspace.yaml',
    });
  }
  const detected: Detected = explicit ? { overrides, lookedFor: [] } : detectedOverrides(cwd, overrides, logger);
  checkWorkspaceSetUp(workspace, cwd, detected.overrides.entry);
  runApp(cwd, detected, overrides, configPath, { logger, color, json: flags.json === true }, early);
}

/** What resolving the config read, as it is now: what a later save changes is then seen as changed. */
function stampOfReads(reads: Reads): Stamp {
  return stampOf(reads.paths, reads.variables);
}

/** What the launcher started ahead of hot (see early-start.ts), taken once. */
function takeEarlyStart(): EarlyStart | undefined {
  const holder = globalThis as Record<symbol, EarlyStart | undefined>;
  const early = holder[EARLY_START_KEY];
  delete holder[EARLY_START_KEY];
  return early;
}

function runApp(cwd: string, { overrides, lookedFor, project }: Detected, cliOverrides: CliOverrides, configPath: string | undefined, { logger, color, json }: Omit<Terminal, 'shortcuts'>, early?: Early): void {
  // A workspace package run alone: its internal packages are checked and watched with it.
  const internalPackages = findInternalPackages(cwd);
  const found = { lookedFor, ...(project ? { project } : {}) };
  const common = { cwd, ...(configPath !== undefined ? { configPath } : {}), ...(internalPackages ? { internalPackages } : {}) };
  // What hot found without a config stands in for one only while there is none: a .hotrc.toml written meanwhile takes over.
  const load = () => (configPath === undefined && existsSync(path.join(cwd, CONFIG_FILE_NAME)) ? loadConfig({ ...common, overrides: cliOverrides }) : loadConfig({ ...common, overrides, ...found }));
  const config = load();
  warnDecoratorMetadata(config, cwd, logger);
  const fixedPort = fixedPortWarning(config, cwd);
  if (fixedPort) logger.warn(fixedPort.line, { hint: fixedPort.hint });
  // Only found without a config file (a config names its env files itself): said once, at start.
  if (!config.configFile && config.run.envFiles.length > 0) logger.info(`loading ${config.run.envFiles.map((file) => path.relative(cwd, file)).join(', ')}`);
  const shortcuts = wantsShortcuts(config.terminal.stdin, json);
  const { logFile } = config.terminal;
  if (logFile) copyOutputTo(logFile, cwd);
  // With a log file the program's output passes through hot, to be copied there too.
  const programOutput = json ? { stdout: process.stderr, stderr: process.stderr } : logFile ? { stdout: process.stdout, stderr: process.stderr } : null;
  const app = createHot({
    config,
    logger,
    color,
    cwd,
    reloadConfig: load,
    // The launcher's process: an early program started there at once.
    launchedAt: performance.timeOrigin,
    ...(programOutput ? { programOutput } : {}),
    ...(shortcuts ? { programStdin: 'ignore' as const } : {}),
    ...(early ? { early: { start: early.early, configStamp: stampOfReads(early.stopCapture()) } } : {}),
  });
  const session = sessionOf(app, (listener) => void app.on('*', listener));
  attach(session, { logger, color, json, shortcuts });
  // After the --json writer: a change's event line is written before the screen is cleared.
  if (config.terminal.clear && canClearScreen()) clearOnChange(app, logger, cwd);
}

function runWorkspace(workspace: Workspace, filters: string[], overrides: CliOverrides, terminal: Omit<Terminal, 'shortcuts'> & { level: LogLevel }): void {
  if (overrides.port !== undefined) {
    throw new ConfigError('--port cannot be used at a workspace root: each package would get the same port', {
      hint: 'set [serve] port in each package\'s .hotrc.toml, or use --filter with one package',
    });
  }
  const { logger, level, color, json } = terminal;
  const shortcuts = wantsShortcuts('hot', json);
  // Loaded only at a workspace root: a single app's start does not pay for the orchestrator.
  void import('../workspace/orchestrator.js')
    .then(({ createWorkspaceHot }) => {
      const monorepo = createWorkspaceHot({ workspace, filters, overrides, logger, level, color, json, ...(shortcuts ? { programStdin: 'ignore' as const } : {}) });
      const session = sessionOf(monorepo, (listener) => void monorepo.onEvent(listener));
      attach(session, { logger, color, json, shortcuts });
    })
    .catch(fail);
}

/** The terminal's side of a running hot: --json events, signals, shortcuts, and a fatal error at start. */
function attach(session: DevSession, { logger, json, shortcuts }: Terminal): void {
  if (json) session.onEvent(createJsonWriter());
  const stop = handleSignals(session, logger);
  if (shortcuts) {
    const onExitEvent = (listener: () => void): void => session.onEvent((event) => event.type === 'exit' && listener());
    listenForShortcuts({ ...session, quit: stop.quit, onExitEvent }, logger);
  }
  // A fatal error at start (the port is taken): stop what did start, then report it.
  session.ready.catch((error: unknown) => {
    void session.close().finally(() => fail(error));
  });
}

/**
 * Clears the screen before each restart. tsc's errors print only when they change, so errors still
 * there are printed again after the clear, or they would vanish from sight.
 */
function clearOnChange(app: HotApp, logger: Logger, cwd: string): void {
  let typeErrors: HotEventOf<'types-failed'> | null = null;
  let buildFailed = false;
  app.on('types-failed', (event) => (typeErrors = event));
  app.on('types-ok', () => (typeErrors = null));
  app.on('*', (event) => (buildFailed = buildFailedAfter(event, buildFailed)));
  app.on('change', () => {
    process.stdout.write(CLEAR_SCREEN);
    if (typeErrors) writeTypeErrors(logger, cwd, typeErrors, buildFailed);
  });
}

/** A bundle has no decorator metadata: say so before NestJS answers every route with a 500. */
function warnDecoratorMetadata(config: ResolvedConfig, cwd: string, logger: Logger): void {
  if (config.build.kind !== 'esbuild' || config.build.outfile === null) return;
  const tsconfig = decoratorMetadataSource(config.watch.root);
  if (!tsconfig) return;
  const { line, hint } = describeDecoratorMetadata(tsconfig, cwd);
  logger.warn(line, { hint });
}
