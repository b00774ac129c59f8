import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { nodeProgramIndex } from '../config/command-line.js';
import { decoratorMetadataSource, describeDecoratorMetadata, describeMetadataCompiler } from '../config/decorator-metadata.js';
import { fixedPortWarning } from '../config/fixed-port.js';
import type { CacheDir, Command, ResolvedConfig } from '../config/schema.js';
import { isHotError } from '../errors.js';
import { notifyAvailable } from '../platform/notify-socket.js';
import { ensurePrivateDir } from '../platform/private-dir.js';
import { checkCommands } from './doctor-commands.js';
import { countInotifyWatchesInUse, findListeningProcess, listeningProcesses, readInotifyWatchLimit } from '../platform/proc.js';
import { createPathFilter } from '../watch/filter.js';
import { nativeWatcherUnavailable } from '../watch/watcher.js';
import { loadGitignoreRules, readNestedGitignore } from '../watch/gitignore.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  line: string;
  /** What to do about it. */
  hint?: string;
}

/** How long the probe waits for a file-system event before calling the file system deaf. */
const EVENT_PROBE_TIMEOUT_MS = 2000;
/** Walking more than this many paths to count the files to watch is a finding in itself. */
const MAX_COUNTED_PATHS = 2_000_000;

/**
 * What usually goes wrong, checked for one config: the inotify watch limit against the files hot
 * would watch, whether file-system events arrive at all, the public port, and the commands to run.
 */
export async function runChecks(config: ResolvedConfig, cwd: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkNode(), checkWatcher(config), checkWatchLimit(config), await probeEvents(config, cwd)];
  const ports = config.serve.strategy === 'socket' ? config.serve.listeners.map((listener) => listener.port) : config.serve.port !== null ? [config.serve.port] : [];
  const host = config.serve.strategy === 'restart' || config.serve.strategy === 'hold' ? '127.0.0.1' : config.serve.host;
  for (const port of ports.filter((port) => port !== 0)) results.push(await checkPort(port, host, cwd, config.configFile ? path.dirname(config.configFile) : cwd));
  if (config.serve.strategy === 'socket') results.push(checkReadiness(config.serve.readyPattern));
  results.push(...checkCommands(config, describeInPlace(config, cwd)));
  // Computed when the config was loaded: the entry run in place never calls listen(), another candidate does.
  if (config.listenHint) results.push({ status: 'warn', line: 'the entry never calls listen(): it may only export the app', hint: config.listenHint });
  const metadata = checkDecoratorMetadata(config, cwd);
  if (metadata) results.push(metadata);
  const fixedPort = fixedPortWarning(config, cwd);
  if (fixedPort) results.push({ status: 'warn', ...fixedPort });
  if (config.check.types !== 'off') results.push(checkTypeCheck(config, cwd));
  if (config.run.command) results.push(checkStandby(config));
  return results;
}

/** How hot will know a version handed the sockets is ready; the notify socket needs an optional addon. */
function checkReadiness(pattern: string | null): CheckResult {
  const notify = "READY=1 on $NOTIFY_SOCKET (systemd's notify protocol)";
  const also = pattern !== null ? `a line matching /${pattern}/ on stdout or stderr` : 'a program that says nothing counts as ready once it has run 500 ms';
  if (notifyAvailable()) return { status: 'ok', line: `readiness: ${notify}${pattern !== null ? ' or ' : '; '}${also}` };
  return {
    status: 'warn',
    line: `readiness: no $NOTIFY_SOCKET (the optional unix-dgram module was not built when hot was installed); ${also}`,
    hint: 'npm rebuild unix-dgram (it needs python3, make and a C++ compiler), or set serve.ready_pattern',
  };
}

/** Whether restarts start Node cold, and why. */
function checkStandby({ run }: ResolvedConfig): CheckResult {
  if (run.standby) return { status: 'ok', line: 'warm standby: the next version waits booted, its packages imported (one idle node process; [run] standby = false turns it off)' };
  return { status: 'ok', line: `warm standby: off, every restart starts cold (${run.standbyOff ?? 'not available'})` };
}

/** The command hot made to run the entry in place, in words: its argv names hot's own loaders. */
function describeInPlace(config: ResolvedConfig, cwd: string): CheckResult | null {
  const { build, run } = config;
  if (build.kind !== 'esbuild' || build.outfile !== null || run.command?.kind !== 'argv' || run.command.argv[0] !== process.execPath) return null;
  const { argv } = run.command;
  const loaders = [argv.some((arg) => arg.includes('tsx')) ? 'TypeScript through tsx' : null, argv.some((arg) => arg.includes('decorator-metadata')) ? 'decorators through SWC' : null].filter(Boolean);
  const how = loaders.length > 0 ? ` (${loaders.join(', ')})` : ' (plain node)';
  const launcher = launcherOf(argv, build.entry);
  return { status: 'ok', line: `runs ${path.relative(cwd, build.entry) || build.entry} in place${launcher ? ` through ${launcher}` : ''} under node ${process.version}${how}` };
}

/** A run.launcher in the argv (a package's script between the loaders and the entry), as `fastify-cli start -l info`. */
export function launcherOf(argv: readonly string[], entry: string): string | null {
  // The file node runs, after its own options (hot's loaders among them): a package's script, or the entry itself.
  const script = nodeProgramIndex({ kind: 'argv', argv: [...argv] });
  const end = argv.indexOf(entry);
  if (script === null || end <= script || !/[\\/]node_modules[\\/]/.test(argv[script]!)) return null;
  const name = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(argv[script]!)?.[1] ?? path.basename(argv[script]!);
  return [name, ...argv.slice(script + 1, end)].join(' ');
}

/** Run in place, SWC emits the metadata NestJS needs; a bundle (build.outfile) has none. */
function checkDecoratorMetadata(config: ResolvedConfig, cwd: string): CheckResult | null {
  if (config.build.kind !== 'esbuild') return null;
  const tsconfig = decoratorMetadataSource(config.watch.root);
  if (!tsconfig) return null;
  if (config.build.outfile) return { status: 'warn', ...describeDecoratorMetadata(tsconfig, cwd) };
  return { status: 'ok', line: describeMetadataCompiler(tsconfig, cwd) };
}

/** [check] types: the tsc hot would run beside the program, or what is missing for it. */
function checkTypeCheck({ check }: ResolvedConfig, cwd: string): CheckResult {
  const hint = 'or set [check] types = false';
  if (check.tsc === null) return { status: 'warn', line: 'type check on, but no node_modules/.bin/tsc in the project or a directory above it', hint: `install TypeScript (npm i -D typescript), ${hint}` };
  const tsconfig = path.relative(cwd, check.tsconfig) || check.tsconfig;
  if (!existsSync(check.tsconfig)) return { status: 'warn', line: `type check on, but there is no ${tsconfig}`, hint: `add one (npx tsc --init), ${hint}` };
  const how = check.types === 'block' ? 'type errors hold the restart' : 'beside the restart, never delaying it';
  return { status: 'ok', line: `type check: ${path.relative(cwd, check.tsc)} --noEmit --watch -p ${tsconfig} (${how})` };
}

function checkNode(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok ? { status: 'ok', line: `node ${process.version}` } : { status: 'fail', line: `node ${process.version} is too old`, hint: 'hot needs Node 20.19 or newer' };
}

function checkWatchLimit(config: ResolvedConfig): CheckResult {
  const { files, directories } = countWatched(config);
  const fileCount = `${files.toLocaleString('en-US')} files`;
  if (config.watch.poll) return { status: 'ok', line: `${fileCount} to watch, by polling (poll = true): no inotify watches needed` };
  const unavailable = nativeWatcherUnavailable();
  // The native watcher takes one inotify watch per directory; chokidar, its fallback, one per file.
  const watches = unavailable === null ? directories : files;
  const what = unavailable === null ? `${fileCount} in ${directories.toLocaleString('en-US')} directories to watch (native watcher, one inotify watch per directory)` : `${fileCount} to watch`;
  const limit = readInotifyWatchLimit();
  if (limit === null) return { status: 'skip', line: `${what}; the inotify limit is not readable here (not Linux?)` };
  const inUse = countInotifyWatchesInUse();
  const free = limit - inUse;
  const summary = `${what}; inotify limit ${limit.toLocaleString('en-US')}, ${inUse.toLocaleString('en-US')} in use by running programs`;
  const hint = `raise it: sudo sysctl fs.inotify.max_user_watches=${Math.max(524288, nextPowerOfTwo(watches + inUse))} (and in /etc/sysctl.conf), or narrow include/exclude`;
  if (watches > free) return { status: 'fail', line: `${summary}: not enough, hot would fall back to polling`, hint };
  if (watches > free / 2) return { status: 'warn', line: `${summary}: more than half of what is left`, hint };
  return { status: 'ok', line: summary };
}

/** Which watcher hot would use here: the native one, or chokidar (and why). */
function checkWatcher(config: ResolvedConfig): CheckResult {
  if (config.watch.poll) return { status: 'ok', line: 'file watching: chokidar, polling (poll = true)' };
  const unavailable = nativeWatcherUnavailable();
  if (unavailable === null) return { status: 'ok', line: 'file watching: native (@parcel/watcher)' };
  return {
    status: 'warn',
    line: `file watching: chokidar, because the native watcher cannot load here (${unavailable})`,
    hint: 'it works the same, with one inotify watch and more memory per file; reinstall hot (npm ci) to get the native watcher back',
  };
}

/** The files and directories the watcher would look at: the same ignore rules, walked without following symlinks. */
function countWatched(config: ResolvedConfig): { files: number; directories: number } {
  const { watch: settings } = config;
  const filter = createPathFilter({ ...settings, gitignoreRules: settings.gitignore ? loadGitignoreRules(settings.root) : null, readNestedGitignore });
  let files = 0;
  let directories = 0;
  let seen = 0;
  const walk = (dir: string): void => {
    directories++;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // Unreadable or gone: the watcher would skip it too.
      return;
    }
    for (const entry of entries) {
      if (++seen > MAX_COUNTED_PATHS) return;
      const full = path.join(dir, entry.name);
      if (filter.isIgnored(full, entry.isDirectory())) continue;
      if (entry.isDirectory()) walk(full);
      else files++;
    }
  };
  walk(settings.root);
  return { files, directories };
}

/**
 * Writes a file and waits for its event: on Docker bind mounts, WSL's /mnt and network drives it never
 * comes. The probe goes into hot's own cache (node_modules/.cache/hot, or the per-user cache), never
 * among the user's sources, and tells about the sources only when it is on their file system.
 */
async function probeEvents(config: ResolvedConfig, cwd: string): Promise<CheckResult> {
  const root = config.watch.root;
  const shown = path.relative(cwd, root) || '.';
  if (config.watch.poll) return { status: 'skip', line: 'file-system events: not needed, poll = true' };
  let dir: string | undefined;
  try {
    dir = makeProbeDirectory(config.cache);
    if (statSync(dir).dev !== statSync(root).dev) {
      const cache = path.relative(cwd, config.cache.dir) || '.';
      return { status: 'skip', line: `file-system events in ${shown}: not probed (hot's cache, ${cache}, is on another file system than the sources)`, hint: 'if changes are missed (a Docker volume or bind mount, a network drive), set poll = true' };
    }
    const waitedMs = await waitForEvent(dir);
    if (waitedMs !== null) return { status: 'ok', line: `file-system events arrive in ${shown} (in ${waitedMs} ms)` };
    return {
      status: 'fail',
      line: `file-system events do not arrive in ${shown} within ${EVENT_PROBE_TIMEOUT_MS / 1000} s (a Docker bind mount, WSL's /mnt, a network drive?)`,
      hint: 'set poll = true in .hotrc.toml (or HOT_POLL=1): hot then checks files every 300 ms',
    };
  } catch (error) {
    return probeFailed(error, shown, config.cache.dir, cwd);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A new directory for the probe in hot's cache, made like the bundle's: hot's per-user cache is
 * checked first (see platform/private-dir.ts), and mkdtemp never reuses a directory someone prepared.
 */
function makeProbeDirectory(cache: CacheDir): string {
  if (cache.privateBase) ensurePrivateDir(cache.privateBase, cache.dir);
  else mkdirSync(cache.dir, { recursive: true });
  return mkdtempSync(path.join(cache.dir, 'probe-'));
}

/** Writes a file into `dir`; the milliseconds until its event arrived, or null after the timeout. */
function waitForEvent(dir: string): Promise<number | null> {
  const startedAt = Date.now();
  return new Promise<number | null>((resolve, reject) => {
    const watcher = watch(dir, () => {
      clearTimeout(timer);
      watcher.close();
      resolve(Date.now() - startedAt);
    });
    const timer = setTimeout(() => {
      watcher.close();
      resolve(null);
    }, EVENT_PROBE_TIMEOUT_MS);
    try {
      // wx: a new file, in a directory just made; nothing there to follow.
      writeFileSync(path.join(dir, 'probe.txt'), String(startedAt), { flag: 'wx' });
    } catch (error) {
      clearTimeout(timer);
      watcher.close();
      reject(error);
    }
  });
}

/** hot's refusal of its cache, or the system's (ENOSPC: out of inotify watches), as the check's failure. */
function probeFailed(error: unknown, shown: string, cacheDir: string, cwd: string): CheckResult {
  if (isHotError(error)) return { status: 'fail', line: `file-system events in ${shown}: the probe could not run: ${error.message}`, ...(error.hint ? { hint: error.hint } : {}) };
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const hint = code === 'ENOSPC' ? 'out of inotify watches: see the inotify line, or set poll = true' : `check that ${path.relative(cwd, cacheDir) || '.'} is writable`;
  return { status: 'fail', line: `file-system events in ${shown}: the probe could not run (${code})`, hint };
}

async function checkPort(port: number, host: string, cwd: string, configDir: string): Promise<CheckResult> {
  const address = host === 'localhost' ? '127.0.0.1' : host;
  const taken = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (!taken) return { status: 'ok', line: `port ${port} is free` };
  const hot = listeningProcesses(port).find((holder) => isHot(holder));
  if (hot) {
    if (hot.cwd !== null && (sameDir(cwd, hot.cwd) || sameDir(configDir, hot.cwd))) {
      return { status: 'ok', line: `port ${port} is held by hot (pid ${hot.pid}) running in this project: it serves the app there, and a second hot here would find the port taken` };
    }
    return { status: 'fail', line: `port ${port} is held by hot (pid ${hot.pid}) running in ${hot.cwd === null ? 'another directory' : path.relative(cwd, hot.cwd) || '.'}`, hint: 'stop that hot (Ctrl-C in its terminal), or set another port under [serve]' };
  }
  const owner = findListeningProcess(port);
  const who = owner ? ` by pid ${owner.pid}${owner.command ? ` (${owner.command})` : ''}` : '';
  return { status: 'fail', line: `port ${port} is already in use${who}`, hint: 'stop that program (an old hot or server still running?), or set [serve] port to another one' };
}

/** Whether a process runs hot: its script (argv[1]) belongs to the hot-cli package, however it was installed. */
function isHot(holder: { cwd: string | null; argv: readonly string[] }): boolean {
  const script = holder.argv[1];
  if (script === undefined || holder.cwd === null) return false;
  try {
    let dir = path.dirname(realpathSync(path.resolve(holder.cwd, script)));
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'hot-cli';
      const parent = path.dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  } catch {
    // Not a file of ours to read: not hot as far as doctor can tell.
    return false;
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** The command's program must be found: in PATH, or (with a warning) only in node_modules/.bin. */
function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(2, value)));
}
