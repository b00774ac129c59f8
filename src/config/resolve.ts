import path from 'node:path';
import { ConfigError } from '../errors.js';
import { nodeProgramIndex, runsNode, withArguments } from './command-line.js';
import { defaultStopSignal, GO_EXCLUDE, GO_INCLUDE, isGoCommand } from './go-module.js';
import { launcherArguments } from './launcher.js';
import { inPlaceLoaders } from './ts-loader.js';
import type { TypeScriptProject } from './typescript-project.js';
import {
  DEFAULT_BACKOFF_INITIAL_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_DELAY_MS,
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  ENTRY_DEFAULT_EXCLUDE,
  DEFAULT_KILL_TIMEOUT_MS,
  DEFAULT_MAX_RESTARTS,
  DEFAULT_RESTART_WINDOW_MS,
  DEFAULT_CLEAN_EXIT_DELAY_MS,
  CONFIG_FILE_NAME,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_HOLD_READY_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_SERVE_HOST,
  SWITCH_GRACE_MS,
  type CliOverrides,
  type CacheDir,
  type Command,
  type ResolvedBuild,
  type ResolvedCheck,
  type ResolvedConfig,
  type ResolvedHooks,
  type ResolvedRestart,
  type ResolvedRun,
  type ResolvedServe,
  type ResolvedWatch,
  type UserConfig,
} from './schema.js';

/** With an esbuild bundle (build.outfile) the bundle's inputs decide what matters; these files matter too. */
const BUNDLE_DEFAULT_INCLUDE = ['package.json', 'tsconfig.json'];

export interface ResolveInput {
  user: UserConfig;
  /** Absolute path of the config file, or null without one. */
  configFile: string | null;
  /** Where hot was started: the root without a config file, and the base of CLI paths. */
  cwd: string;
  overrides: CliOverrides;
  /** Directory for files hot owns for this project (doctor's probe). */
  cacheDir: string;
  /** When cacheDir is in hot's per-user cache rather than in node_modules: see CacheDir.privateBase. */
  privateCacheBase?: string | null;
  /** Shown in messages in place of the config file's path. */
  displayFile: string;
  /** The monorepo root's config file merged under this one, or null. */
  baseConfigFile?: string | null;
  /** Workspace packages the esbuild build takes in (a monorepo), rather than leaving them to node_modules. */
  bundlePackages?: readonly string[];
  /** Files of internal workspace packages outside the root, watched unless a build command runs (a package run alone). */
  internalSources?: readonly string[];
  /**
   * A monorepo package: it may only build (a library: no bin and no build.entry is then not an
   * error).
   */
  workspaceMember?: boolean;
  /** The project's tsc and tsconfig, as found on disk (loadConfig looks); none when not given. */
  typescript?: TypeScriptProject;
}

/** Defaults <- file <- CLI, into one frozen ResolvedConfig with absolute paths and milliseconds. */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const root = input.configFile ? path.dirname(input.configFile) : input.cwd;
  const cache: CacheDir = { dir: input.cacheDir, privateBase: input.privateCacheBase ?? null };
  const build = resolveBuild(input, root);
  const run = resolveRun(input, root, build);
  const watch = resolveWatch(input, root, build, run);
  const restart = resolveRestart(input.user);
  const serve = resolveServe(input, run);
  // Without the proxy the program listens on the public port itself.
  if (serve.strategy === 'restart' && serve.port !== null && run.env.PORT === undefined) run.env = { ...run.env, PORT: String(serve.port) };
  // A copy, so freezing never reaches arrays the caller still owns.
  const baseConfigFile = input.baseConfigFile ?? null;
  const hooks = resolveHooks(input.user);
  const logFile = input.user.logFile === undefined ? null : path.resolve(root, input.user.logFile);
  const terminal = { clear: input.overrides.clear ?? input.user.clear ?? false, stdin: input.user.stdin ?? 'hot', logFile } as const;
  // hot writes it all the time: never a change.
  if (logFile) watch.outputs = [...watch.outputs, logFile];
  const check = resolveCheck(input, root, build);
  return deepFreeze(structuredClone({ configFile: input.configFile, baseConfigFile, cache, watch, build, run, restart, serve, hooks, terminal, check }));
}

function resolveBuild({ user, overrides, cwd, bundlePackages = [] }: ResolveInput, root: string): ResolvedBuild {
  const killSignal = overrides.killSignal ?? user.run?.killSignal ?? defaultStopSignal(user.build?.cmd);
  const killTimeoutMs = overrides.killTimeoutMs ?? user.run?.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
  // The entry runs in place: the build gates and maps it, and writes nothing.
  if (overrides.entry) return { kind: 'esbuild', root, entry: path.resolve(cwd, overrides.entry), outfile: null, bundlePackages };
  const spec = user.build;
  if (spec?.entry) {
    const outfile = spec.outfile ? path.resolve(root, spec.outfile) : null;
    return { kind: 'esbuild', root, entry: path.resolve(root, spec.entry), outfile, bundlePackages };
  }
  if (spec?.cmd) {
    const output = spec.output ? path.resolve(root, spec.output) : null;
    const tempDirVariable = isGoCommand(spec.cmd) ? 'GOTMPDIR' : null;
    return { kind: 'command', command: spec.cmd, cwd: root, output, killSignal, killTimeoutMs, env: spec.env ?? {}, tempDirVariable };
  }
  return { kind: 'none' };
}

function resolveRun(input: ResolveInput, root: string, build: ResolvedBuild): ResolvedRun {
  const { user, overrides, displayFile, workspaceMember } = input;
  const args = user.run?.args ?? [];
  let command: Command | null;
  if (overrides.command && overrides.command.length > 0) {
    command = { kind: 'argv', argv: overrides.command };
  } else if (user.bin && !overrides.entry) {
    command = withArguments(user.bin, args);
  } else if (build.kind === 'esbuild') {
    command = { kind: 'argv', argv: [process.execPath, ...programArguments(input, root, build), ...args] };
  } else if (workspaceMember && build.kind === 'command') {
    command = null;
  } else {
    throw new ConfigError(`${displayFile}: nothing to run: set bin (e.g. bin = "node dist/server.js") or build.entry (e.g. entry = "src/server.ts" under [build])`, {
      hint: 'or run `hot src/server.ts` to run a TypeScript file, or `hot -- node server.js` to restart a command',
    });
  }
  // One idle process per package of a monorepo adds up: there a package asks for its standby.
  const perPackage = workspaceMember === true && user.run?.standby !== true;
  const at = command && user.run?.standby !== false && !perPackage ? nodeProgramIndex(command) : null;
  const standby = at === null ? null : { preloadAt: at };
  return {
    command,
    cwd: user.run?.cwd ? path.resolve(root, user.run.cwd) : root,
    env: { ...(user.run?.env ?? {}) },
    envFiles: (user.run?.envFile ?? []).map((file) => path.resolve(root, file)),
    killSignal: overrides.killSignal ?? user.run?.killSignal ?? defaultStopSignal(command),
    killTimeoutMs: overrides.killTimeoutMs ?? user.run?.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS,
    stopOnError: user.run?.stopOnError ?? false,
    standby,
    standbyOff: standby
      ? null
      : command === null
        ? 'nothing to run'
        : user.run?.standby === false
          ? '[run] standby = false'
          : perPackage
            ? 'a package of a monorepo (each standby is an idle process; [run] standby = true in its config asks for one)'
            : 'the command is not `node [options] <file>` (a shell line, npm run, tsx, node -e or --inspect)',
  };
}

/**
 * Run in place: the program's own files, under tsx's loader from hot's install (the project needs no
 * tsx); with a launcher (`fastify start`), the launcher's script under that loader loads the entry.
 * A bundle (build.outfile) is JavaScript and runs as it is.
 */
function programArguments({ user, overrides, displayFile, internalSources = [], typescript }: ResolveInput, root: string, build: ResolvedBuild & { kind: 'esbuild' }): string[] {
  const launcher = overrides.launcher ?? launcherWords(user.run?.launcher);
  const program = build.outfile ?? build.entry;
  const loaded = launcher ? launcherArguments(root, launcher, program, displayFile) : [program];
  if (build.outfile) return [SOURCE_MAPS, ...loaded];
  // tsx turns source maps on as it registers: the flag would only add to the program's start.
  const loaders = inPlaceLoaders(build.entry, internalSources, typescript);
  return [...(loaders.length === 0 ? [SOURCE_MAPS] : loaders), ...loaded];
}

/** Errors name the lines of the program's sources, not of what was built from them. */
const SOURCE_MAPS = '--enable-source-maps';

/** validate.ts lets only a plain command line through as run.launcher. */
function launcherWords(launcher: Command | undefined): string[] | null {
  return launcher?.kind === 'argv' ? launcher.argv : null;
}

function resolveWatch({ user, overrides, configFile, baseConfigFile, internalSources = [], typescript }: ResolveInput, root: string, build: ResolvedBuild, run: ResolvedRun): ResolvedWatch {
  // Run in place, the program may load files its build never sees (a directory scan, a computed import()).
  let defaultInclude = build.kind === 'esbuild' && build.outfile && !user.include ? BUNDLE_DEFAULT_INCLUDE : DEFAULT_INCLUDE;
  let defaultExclude: readonly string[] = [];
  // `hot -- go run .`, or go build without include: Go's sources, not .js/.ts files.
  if (isGoCommand(run.command) || (build.kind === 'command' && isGoCommand(build.command))) [defaultInclude, defaultExclude] = [GO_INCLUDE, GO_EXCLUDE];
  // An entry's program never loads its tests: saving one restarts nothing, as with tsx watch (hot init writes the same).
  else if (build.kind === 'esbuild') defaultExclude = ENTRY_DEFAULT_EXCLUDE;
  const outputs: string[] = [];
  const appearing = configFile ? [] : [path.join(root, CONFIG_FILE_NAME), path.join(root, '.env')].filter((file) => !run.envFiles.includes(file));
  if (build.kind === 'esbuild' && build.outfile) outputs.push(build.outfile, `${build.outfile}.map`);
  if (build.kind === 'command' && build.output) outputs.push(build.output);
  return {
    root,
    include: overrides.include ?? user.include ?? defaultInclude,
    exclude: [...DEFAULT_EXCLUDE, ...(overrides.exclude ?? user.exclude ?? defaultExclude)],
    gitignore: user.gitignore ?? true,
    poll: overrides.poll ?? user.poll ?? false,
    delayMs: overrides.delayMs ?? user.delayMs ?? DEFAULT_DELAY_MS,
    outputs,
    alwaysWatch: [
      ...(configFile ? [configFile] : []),
      ...(baseConfigFile ? [baseConfigFile] : []),
      ...run.envFiles,
      // The program loads them in place, so an edit restarts it (a build command decides for itself what it rebuilds).
      ...(build.kind === 'command' ? [] : internalSources),
      ...appearing,
      // A tsconfig outside the root that the root's extends (a monorepo's tsconfig.base.json): an edit rebuilds and restarts.
      ...(typescript?.extended ?? []).filter((file) => path.relative(root, file).startsWith('..')),
    ],
    appearing,
  };
}

/**
 * On by default when the project has its own tsc and a tsconfig at the root, unless the build command
 * is tsc already (it reports the same errors, and a second compiler would double the work).
 */
function resolveCheck({ user, overrides, typescript }: ResolveInput, root: string, build: ResolvedBuild): ResolvedCheck {
  const found = { tsc: typescript?.tsc ?? null, tsconfig: path.join(root, 'tsconfig.json'), incremental: typescript?.incremental ?? false };
  const asked = overrides.checkTypes ?? user.check?.types;
  if (asked !== undefined) return { types: asked === 'block' ? 'block' : asked ? 'report' : 'off', ...found };
  const buildRunsTsc = build.kind === 'command' && /(^|[\s/])tsc(\s|$)/.test(build.command.kind === 'argv' ? build.command.argv.join(' ') : build.command.line);
  return { types: found.tsc !== null && typescript?.hasTsconfig && !buildRunsTsc ? 'report' : 'off', ...found };
}

function resolveHooks({ hooks }: UserConfig): ResolvedHooks {
  return { preBuild: hooks?.preBuild ?? null, postBuild: hooks?.postBuild ?? null, onRestart: hooks?.onRestart ?? null, onCrash: hooks?.onCrash ?? null, onExit: hooks?.onExit ?? null };
}

function resolveRestart(user: UserConfig): ResolvedRestart {
  const backoffInitialMs = user.restart?.backoffInitialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
  return {
    backoffInitialMs,
    backoffMaxMs: user.restart?.backoffMaxMs ?? Math.max(DEFAULT_BACKOFF_MAX_MS, backoffInitialMs),
    maxRestarts: user.restart?.maxRestarts ?? DEFAULT_MAX_RESTARTS,
    windowMs: user.restart?.windowMs ?? DEFAULT_RESTART_WINDOW_MS,
    onCleanExit: user.restart?.onCleanExit ?? 'wait',
    cleanExitDelayMs: user.restart?.cleanExitDelayMs ?? DEFAULT_CLEAN_EXIT_DELAY_MS,
  };
}

function resolveServe({ user, overrides, displayFile }: ResolveInput, run: ResolvedRun): ResolvedServe {
  const listeners = user.serve?.listen ?? null;
  const port = overrides.port ?? user.serve?.port ?? listeners?.[0]?.port ?? null;
  const strategy = user.serve?.strategy ?? (listeners ? 'socket' : port === null ? 'restart' : 'proxy');
  const node = run.command !== null && runsNode(run.command);
  if (user.serve?.hold === true && !node) {
    throw new ConfigError(`${displayFile}: serve.hold = true needs a program that node runs (bin = "node server.js", or build.entry); ${describeProgram(run.command)}`, {
      hint: 'leave hold out: other programs restart by stopping, then starting (or set serve.port for the proxy)',
    });
  }
  if (port === null && user.serve?.strategy === undefined && user.serve?.hold !== false && node) {
    const readyTimeoutMs = user.serve?.readyTimeoutMs ?? DEFAULT_HOLD_READY_TIMEOUT_MS;
    // No grace before the old generation stops accepting: both accept from the one socket, none has a queue of its own.
    const liveReload = user.serve?.liveReload ?? false;
    return { strategy: 'hold', port: null, readyTimeoutMs, drainTimeoutMs: user.serve?.drainTimeoutMs ?? null, graceMs: 0, liveReload, allowedHosts: resolveAllowedHosts(user.serve?.allowedHosts) };
  }
  if (port === null && user.serve?.liveReload === true) {
    throw new ConfigError(`${displayFile}: serve.live_reload needs hot's http proxy: set serve.port, the port hot listens on (the program then listens on $PORT)`, {
      hint: `or run a Node program without hold = false: hot then puts its proxy on the port the program listens on; ${describeProgram(run.command)}`,
    });
  }
  if (strategy === 'restart' || port === null) return { strategy: 'restart', port };
  const timing = {
    readyTimeoutMs: user.serve?.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    drainTimeoutMs: user.serve?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    graceMs: SWITCH_GRACE_MS,
  };
  if (strategy === 'socket') {
    // One socket, one address: localhost means the IPv4 loopback here.
    const host = user.serve?.host === undefined || user.serve.host === 'localhost' ? '127.0.0.1' : user.serve.host;
    // --port replaces the listeners' list: one socket, named as before serve.listen existed.
    const sockets = listeners && overrides.port === undefined ? listeners : [{ port, name: 'http' }];
    return { strategy: 'socket', host, port, listeners: sockets, readyPattern: user.serve?.readyPattern ?? null, ...timing };
  }
  return {
    strategy: 'proxy',
    host: user.serve?.host ?? DEFAULT_SERVE_HOST,
    port,
    mode: user.serve?.proxy ?? 'http',
    liveReload: user.serve?.liveReload ?? false,
    allowedHosts: resolveAllowedHosts(user.serve?.allowedHosts),
    ...timing,
  };
}

function describeProgram(command: Command | null): string {
  if (command === null) return 'this package runs nothing';
  const first = command.kind === 'argv' ? command.argv[0] : command.line.trim().split(/\s+/)[0];
  return `this one starts ${JSON.stringify(first)}`;
}

/** Host headers arrive in any case and may end in a dot (`myapp.test.`): names are compared without both. */
function resolveAllowedHosts(names: string[] | true | undefined): readonly string[] | 'any' {
  if (names === true) return 'any';
  return (names ?? []).map((name) => name.toLowerCase().replace(/\.$/, ''));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
