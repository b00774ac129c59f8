#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { cac } from 'cac';
import { startHot, type HotApp } from './app.js';
import { writeStarterConfig } from './config/init.js';
import { loadConfig, readUserConfig } from './config/load.js';
import { CONFIG_FILE_NAME, SETTINGS, type CliOverrides, type ResolvedConfig, type ValueType } from './config/schema.js';
import { overridesFromFlags, type ParsedFlags } from './config/flags.js';
import { ConfigError, isHotError } from './errors.js';
import type { PackageEvent } from './events.js';
import { runChecks } from './doctor.js';
import { isTerminalForegroundGroup } from './platform/proc.js';
import { startMonorepo } from './monorepo.js';
import { createLogger, shouldUseColor, type Logger, type LogLevel } from './ui/logger.js';
import { canClearScreen, CLEAR_SCREEN, startShortcuts } from './ui/shortcuts.js';
import { hasOwnConfig, loadPackageConfig } from './workspace/package-config.js';
import { loadWorkspace, type Workspace } from './workspace/packages.js';

interface CliFlags {
  config?: string | string[];
  filter?: string | string[];
  include?: string | string[];
  exclude?: string | string[];
  delay?: unknown;
  killSignal?: unknown;
  killTimeout?: unknown;
  port?: unknown;
  poll?: boolean;
  clear?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  '--'?: string[];
}

/** How a flag's value is named in --help, by the setting's type. */
const PLACEHOLDERS: Partial<Record<ValueType, string>> = { ms: 'ms', 'string-list': 'glob', signal: 'signal', string: 'file', port: 'port' };

const packageInfo = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const debugStacks = process.argv.includes('--debug') || process.env.HOT_DEBUG === '1';

function main(): void {
  const cli = cac('hot');
  for (const setting of SETTINGS) {
    if (!setting.flag) continue;
    const takesValue = setting.type !== 'boolean';
    const short = setting.shortFlag ? `-${setting.shortFlag}, ` : '';
    const shown = takesValue ? `${short}--${setting.flag} <${PLACEHOLDERS[setting.type] ?? 'value'}>` : `--${setting.flag}`;
    const repeat = setting.type === 'string-list' ? ' (repeatable)' : '';
    cli.option(shown, `${capitalise(setting.description)}${repeat}`);
  }
  cli.option('--no-color', 'Plain output without colours');

  cli
    .command('[entry]', 'Build, run and restart on changes (the same as `hot dev`)')
    .usage('[entry] [options] [-- command ...]')
    .example('hot                          # uses ./.hotrc.toml')
    .example('hot src/server.ts            # bundle with esbuild, run with node, restart on changes')
    .example('hot -- node server.js        # restart a command when files in the cwd change')
    .example('hot dev --filter api         # at a monorepo root: api and the packages it depends on')
    .action((entry: string | undefined, flags: CliFlags) => runDev(entry, flags));
  cli.command('dev [entry]', 'Build, run and restart on changes').action((entry: string | undefined, flags: CliFlags) => runDev(entry, flags));
  cli.command('init', `Write a commented .hotrc.toml into the current directory`).action((flags: CliFlags) => runInit(flags));
  cli.command('doctor', 'Check what usually goes wrong: watch limits, file-system events, the port, the commands').action((flags: CliFlags) => runDoctor(flags));
  cli.help();
  cli.version(packageInfo.version);

  try {
    cli.parse(process.argv, { run: false });
    const result = cli.runMatchedCommand();
    if (result instanceof Promise) result.catch((error: unknown) => fail(error));
  } catch (error) {
    fail(error);
  }
}

function runDev(entry: string | undefined, flags: CliFlags): void {
  const color = flags.color !== false && shouldUseColor(process.stderr);
  const logger = createLogger({ level: logLevel(flags), color });
  const cwd = process.cwd();
  const overrides = toOverrides(entry, flags);
  // A repeated --config: the last one wins, as with every other flag.
  const configPath = Array.isArray(flags.config) ? flags.config.at(-1) : flags.config;
  const filters = flags.filter === undefined ? [] : toList(flags.filter);
  const explicit = entry !== undefined || overrides.command !== undefined || configPath !== undefined;
  if (explicit && filters.length > 0) throw new ConfigError('--filter cannot be combined with an entry file, a command after -- or --config');
  // A workspace root runs its packages, unless its own .hotrc.toml runs a program (then it is the app).
  const workspace = explicit ? null : findWorkspace(cwd);
  if (workspace && (filters.length > 0 || (hasPackageConfigs(workspace) && !rootConfigRunsSomething(cwd)))) {
    runWorkspace(workspace, filters, overrides, flags, logger, color);
    return;
  }
  if (filters.length > 0) {
    throw new ConfigError('--filter works at a workspace root, and there is none here', {
      hint: 'run it where package.json has "workspaces" (npm, yarn) or next to pnpm-workspace.yaml',
    });
  }
  const load = () => loadConfig({ cwd, overrides, ...(configPath !== undefined ? { configPath: String(configPath) } : {}) });
  const config = load();
  const json = flags.json === true;
  const shortcuts = wantsShortcuts(config.terminal.stdin, json);
  const app = startHot({
    config,
    logger,
    color,
    cwd,
    reloadConfig: load,
    ...(json ? { programOutput: { stdout: process.stderr, stderr: process.stderr } } : {}),
    ...(shortcuts ? { programStdin: 'ignore' as const } : {}),
  });
  if (json) app.on('*', writeEvent);
  if (config.terminal.clear && canClearScreen()) app.on('change', () => process.stdout.write(CLEAR_SCREEN));
  handleSignals(app, logger);
  if (shortcuts) listenForShortcuts({ ...bind(app), onExitEvent: (listener) => app.on('exit', listener) }, logger);
  // A fatal error at start (the port is taken): stop what did start, then report it.
  app.ready.catch((error: unknown) => {
    void app.close().finally(() => fail(error));
  });
}

function runWorkspace(workspace: Workspace, filters: string[], overrides: CliOverrides, flags: CliFlags, logger: Logger, color: boolean): void {
  if (overrides.port !== undefined) {
    throw new ConfigError('--port cannot be used at a workspace root: each package would get the same port', {
      hint: 'set [serve] port in each package\'s .hotrc.toml, or use --filter with one package',
    });
  }
  const json = flags.json === true;
  const shortcuts = wantsShortcuts('hot', json);
  const monorepo = startMonorepo({ workspace, filters, overrides, logger, level: logLevel(flags), color, json, ...(shortcuts ? { programStdin: 'ignore' as const } : {}) });
  if (json) monorepo.onEvent(writeEvent);
  handleSignals(monorepo, logger);
  if (shortcuts) listenForShortcuts({ ...bind(monorepo), onExitEvent: (listener) => monorepo.onEvent((event) => event.type === 'exit' && listener()) }, logger);
  monorepo.ready.catch((error: unknown) => {
    void monorepo.close().finally(() => fail(error));
  });
}

/**
 * The workspace declared in cwd. A package.json there that does not parse is the program's business
 * when a .hotrc.toml says what to run; pnpm-workspace.yaml only ever declares a workspace.
 */
function findWorkspace(cwd: string): Workspace | null {
  return loadWorkspace(cwd, { tolerateBrokenManifest: existsSync(path.join(cwd, CONFIG_FILE_NAME)) });
}

/** A root .hotrc.toml with a bin or a build is an app of its own, not shared defaults for packages. */
function rootConfigRunsSomething(cwd: string): boolean {
  const file = path.join(cwd, CONFIG_FILE_NAME);
  if (!existsSync(file)) return false;
  const user = readUserConfig(file, CONFIG_FILE_NAME);
  return user.bin !== undefined || user.build?.entry !== undefined || user.build?.cmd !== undefined;
}

function bind(target: Pick<HotApp, 'restart' | 'build' | 'pause' | 'resume' | 'close'>): Pick<HotApp, 'restart' | 'build' | 'pause' | 'resume' | 'close'> {
  return {
    restart: (reason) => target.restart(reason),
    build: (reason) => target.build(reason),
    pause: () => target.pause(),
    resume: () => target.resume(),
    close: () => target.close(),
  };
}

/** Shortcuts need a person at a terminal, and stdin not given to the program. */
function wantsShortcuts(stdin: 'hot' | 'child', json: boolean): boolean {
  return process.stdin.isTTY === true && stdin === 'hot' && !json && isTerminalForeground();
}

/**
 * `hot &` still has the terminal as stdin, but raw mode from the background would stop it (SIGTTOU):
 * shortcuts only when hot's process group owns the terminal. Unknown (not Linux): assume it does.
 */
function isTerminalForeground(): boolean {
  // Unknown (no /proc): assume it does.
  return isTerminalForegroundGroup() ?? true;
}

function listenForShortcuts(target: Pick<HotApp, 'restart' | 'build' | 'pause' | 'resume' | 'close'> & { onExitEvent(listener: () => void): void }, logger: Logger): void {
  let paused = false;
  logger.info('press h for shortcuts');
  const shortcuts = startShortcuts(process.stdin, {
    restart: () => void target.restart('restart requested'),
    rebuild: () => void target.build('rebuild requested'),
    clear: () => {
      if (canClearScreen()) process.stdout.write(CLEAR_SCREEN);
    },
    togglePause: () => {
      paused = !paused;
      if (paused) target.pause();
      else target.resume();
      return paused;
    },
    quit: () => process.kill(process.pid, 'SIGINT'),
    say: (line) => logger.info(line),
  });
  target.onExitEvent(() => shortcuts.reassert());
}

let eventsOpen = true;

/** `--json`: one object per line on stdout, stamped with the time; a reader that went away ends them, not hot. */
function writeEvent(event: PackageEvent): void {
  if (!eventsOpen) return;
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      eventsOpen = false;
      createLogger({ level: 'warn', color: shouldUseColor(process.stderr) }).warn(`stdout closed (${error.code ?? error.message}): no more --json events; hot keeps running`);
    });
  }
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

function hasPackageConfigs(workspace: Workspace): boolean {
  return workspace.packages.some(hasOwnConfig);
}

/** `hot doctor`: one line per check; exit code 1 when one failed. */
async function runDoctor(flags: CliFlags): Promise<void> {
  const color = flags.color !== false && shouldUseColor(process.stderr);
  const logger = createLogger({ level: 'info', color });
  const cwd = process.cwd();
  const overrides = toOverrides(undefined, flags);
  const configPath = Array.isArray(flags.config) ? flags.config.at(-1) : flags.config;
  const workspace = configPath === undefined ? findWorkspace(cwd) : null;
  const targets: Array<{ label: string; config: ResolvedConfig }> = [];
  if (workspace && hasPackageConfigs(workspace) && !rootConfigRunsSomething(cwd)) {
    for (const pkg of workspace.packages.filter(hasOwnConfig)) targets.push({ label: `${pkg.name}: `, config: loadPackageConfig(workspace, pkg, overrides) });
  } else {
    targets.push({ label: '', config: loadConfig({ cwd, overrides, ...(configPath !== undefined ? { configPath: String(configPath) } : {}) }) });
  }
  let failed = false;
  for (const { label, config } of targets) {
    logger.info(`${label}checking ${config.configFile ? path.relative(cwd, config.configFile) || CONFIG_FILE_NAME : 'the command line'}`);
    for (const result of await runChecks(config, cwd)) {
      const extras = result.hint ? { hint: result.hint } : undefined;
      if (result.status === 'ok') logger.success(`${label}ok    ${result.line}`);
      else if (result.status === 'warn') logger.warn(`${label}warn  ${result.line}`, extras);
      else if (result.status === 'skip') logger.info(`${label}skip  ${result.line}`);
      else {
        failed = true;
        logger.error(`${label}FAIL  ${result.line}`, extras);
      }
    }
  }
  logger.info(failed ? 'found problems: see FAIL above' : 'no problems found');
  process.exitCode = failed ? 1 : 0;
}

function runInit(flags: CliFlags): void {
  const logger = createLogger({ level: logLevel(flags), color: flags.color !== false && shouldUseColor(process.stderr) });
  const template = readFileSync(new URL('../.hotrc.toml.example', import.meta.url), 'utf8');
  const { entry } = writeStarterConfig(process.cwd(), template);
  logger.success(`wrote .hotrc.toml${entry ? ` (build.entry = "${entry}")` : ''}`);
  logger.info(entry ? 'run `hot` to start' : 'set build.entry (or bin) in it, then run `hot`');
}

function toOverrides(entry: string | undefined, flags: CliFlags): CliOverrides {
  const overrides = overridesFromFlags(flags as ParsedFlags);
  if (entry !== undefined) overrides.entry = entry;
  if (flags['--'] && flags['--'].length > 0) overrides.command = flags['--'].map(String);
  if (overrides.entry && overrides.command) {
    throw new ConfigError('give either an entry file or a command after --, not both');
  }
  return overrides;
}

/**
 * SIGINT/SIGTERM/SIGHUP stop the program through its kill path, then hot exits with 128 + the signal
 * number; a second one kills the program's group at once. SIGUSR2 restarts now.
 */
function handleSignals(app: Pick<HotApp, 'close' | 'kill' | 'restart'>, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    const code = 128 + (osConstants.signals[signal] ?? 0);
    if (stopping) {
      logger.warn(`${signal} again: killing the app`);
      app.kill();
      process.exit(code);
    }
    stopping = true;
    logger.debug(`${signal} received, stopping the app`);
    app.close().then(
      () => process.exit(code),
      (error: unknown) => fail(error),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  process.on('SIGUSR2', () => void app.restart('SIGUSR2 received'));
  // Whatever way hot goes down, the program's process group goes with it.
  process.on('exit', () => app.kill());
}

function fail(error: unknown): void {
  if (isHotError(error)) {
    const stderr = createLogger({ level: 'error', color: shouldUseColor(process.stderr) });
    stderr.error(error.message, error.hint ? { hint: error.hint } : undefined);
    if (debugStacks && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof Error && error.name === 'CACError') {
    const stderr = createLogger({ level: 'error', color: shouldUseColor(process.stderr) });
    stderr.error(error.message, { hint: 'run `hot --help` for the commands and options' });
    process.exit(2);
  }
  process.stderr.write(`[hot] internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stderr.write('[hot] this is a bug in hot: please report it with the lines above\n');
  process.exit(1);
}

function logLevel(flags: CliFlags): LogLevel {
  if (flags.debug || process.env.HOT_DEBUG === '1' || flags.verbose) return 'debug';
  if (flags.quiet) return 'error';
  return 'info';
}

function toList(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : [value]).map(String);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

main();
