import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { isatty } from 'node:tty';
import { parseEnv } from 'node:util';

/**
 * The early start: hot's launcher starts the program before hot has loaded itself, exactly as the
 * last run with the same command line in the same directory first started it, when nothing that run
 * read to decide how has changed since (its config files, the variables it read, its build's
 * inputs). The program boots while hot loads, builds and checks; hot's first start then takes that
 * process over, but only when it would start exactly the same command, in the same directory, with
 * the same environment, stdin and fds. When it would not (something the record did not see), the
 * early process is stopped and the first start is as usual.
 *
 * The record of a run lives in hot's per-user cache (`$XDG_CACHE_HOME/hot/launch`, else
 * `~/.cache/hot/launch`), private to the user. It never holds a value from an env file: the launcher
 * reads env files again, as hot does.
 *
 * Imports nothing from src/: the launcher loads it before the rest of hot.
 */

/** Where `globalThis` carries the early start from the launcher to the command. */
export const EARLY_START_KEY = Symbol.for('hot.early-start');
/** Where it carries the launcher's hand-over of the stop signals, until hot's own handlers are in place. */
const SIGNALS_KEY = Symbol.for('hot.launcher-signals');
const VERSION = 6;
/** The records kept: the least recently written go beyond this. */
const MAX_RECORDS = 64;
/** An early start not taken by then (another command path) is stopped. */
const UNCLAIMED_AFTER_MS = 30_000;
/** The longest the launcher holds back hot's loading for the early program to listen. */
const LISTEN_WAIT_MAX_MS = 3000;
/** The signals that stop hot, by number (its exit code is 128 + that), handled by the launcher while it waits. */
const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
/** How a program stopped during that wait is stopped when its record does not say (hot's defaults). */
const DEFAULT_STOP: StopSpec = { signal: 'SIGTERM', afterMs: 3000 };
/** What the held sockets' preload says when the program listens (see preload/hold.ts). */
const LISTENED = new Set(['NODE_HOT_HOLD', 'NODE_HOT_LISTENING', 'NODE_HOT_BEHIND']);

/**
 * A listener for a program's IPC messages: calls `heard` once, with the milliseconds since `since`
 * (its spawn), at the first message saying it listens.
 */
export function firstListen(since: number, heard: (afterMs: number) => void): (message: unknown) => void {
  let done = false;
  return (message) => {
    if (done || typeof message !== 'object' || message === null || !LISTENED.has((message as { cmd?: unknown }).cmd as string)) return;
    done = true;
    heard(performance.now() - since);
  };
}

/** What names a run: hot's own build, where it ran, its arguments, and whether stdin was a terminal. */
export interface LaunchKey {
  hot: string;
  at: string;
  args: string[];
  stdinTTY: boolean;
}

/** What a run read before its first start: files and directories (a signature each), and variables. */
export interface Stamp {
  /** Path, signature, and what the signature is of (see Use). */
  files: Array<[string, string, Use]>;
  env: Array<[string, string | null]>;
}

/**
 * What a path's signature says: `exists`, only whether it is there and what it is (looked at with
 * existsSync, accessSync); `content`, a file's identity, size and times, a directory's entries that
 * can change what a module path resolves to (a log file or a database journal appearing in the
 * project does not count).
 */
export type Use = 'exists' | 'content';

/** How the last run with this key first started its program, and what it read to decide so. */
export interface LaunchRecord extends LaunchKey {
  version: number;
  argv: string[];
  cwd: string;
  /** The variables set over hot's own environment (hot's, `[run] env`, NODE_OPTIONS), and those removed. */
  env: Record<string, string>;
  unset: string[];
  stdin: 'inherit' | 'ignore';
  extraFds: string[];
  /** The env files the program's environment starts from, read again at each launch (their values are never kept). */
  envFiles: string[];
  stamp: Stamp;
  /**
   * How long the program took from its spawn until the held sockets' preload said it listens (on the
   * IPC channel); absent until a run has seen it listen.
   */
  listenMs?: number;
  /** How hot stops the program (its kill_signal, then SIGKILL after kill_timeout): also how the launcher does, on Ctrl-C before hot is loaded. */
  stop?: StopSpec;
}

export interface StopSpec {
  signal: NodeJS.Signals;
  afterMs: number;
}

/** How a program is spawned, as far as an early start is compared on it (supervise's ChildSpec extends it). */
export interface EarlySpec {
  command: { kind: 'argv'; argv: readonly string[] } | { kind: 'shell'; line: string };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Where the program's stdout/stderr go: inherited by default; 'pipe' captures both (build commands);
   * 'tee' passes stdout and stderr through to hot's own while hot also reads them (a readiness pattern).
   */
  stdio?: 'inherit' | 'pipe' | 'tee';
  /** What the program gets as fd 3, 4, …: a listening socket handle, 'pipe', 'ignore', 'ipc' (at most one). */
  extraFds?: readonly unknown[];
  /** With 'inherit' or 'tee': where the program's output goes instead of hot's own stdout and stderr. */
  output?: unknown;
  /** 'ignore' when hot reads the terminal itself (keyboard shortcuts); default 'inherit'. */
  stdin?: 'inherit' | 'ignore';
}

/** What a run read before its first start (see captureReads). */
export interface Reads {
  /** Every path, and whether only its existence was asked. */
  paths: Map<string, Use>;
  variables: Set<string>;
}

/** A message the program sent on its IPC channel before hot was there to hear it. */
export type QueuedMessage = [message: unknown, handle: unknown];

export interface EarlyProcess {
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
  queue: QueuedMessage[];
  stopQueueing(): void;
  timer: NodeJS.Timeout;
  /** When it was spawned (performance.now()). */
  spawnedAt: number;
  /** Called once with the milliseconds from its spawn until it said it listens; at once when that is past. */
  onHeard(listener: (afterMs: number) => void): void;
}

export interface EarlyStart {
  /** Started with the program, which it knows of (hot takes it over); null when no program was started. */
  watchdog: EarlyWatchdog | null;
  /** The early process's pid (its group's id), whatever became of it; null when none was started. */
  pid: number | null;
  readonly key: LaunchKey;
  /** Where this run's record is written; null without a private cache directory. */
  readonly file: string | null;
  readonly recorded: LaunchRecord | null;
  /** The early process; null once taken or stopped, or when none was started. */
  started: EarlyProcess | null;
}

const WATCHDOG_SCRIPT = `
trap '' INT TERM HUP QUIT
groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) g="\${line#-}"
        case "$groups" in *" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;; esac ;;
  esac
done
[ "$groups" = " " ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

/** A watchdog started, and the process groups it was told of. */
export interface EarlyWatchdog {
  child: ChildProcess;
  tracked: number[];
}

/**
 * A tiny `sh` process that outlives hot only to clean up after it. hot tells it, over a pipe, which
 * process groups it started and which are gone; if the pipe closes while groups are left (hot was
 * killed with SIGKILL, or crashed), it sends them SIGTERM, then SIGKILL a second later, and exits.
 * It ignores the signals a terminal sends, lives in its own process group, and keeps nothing alive.
 */
export function spawnWatchdogShell(shell = '/bin/sh'): ChildProcess {
  // A bare environment: nothing of the user's needs to reach it.
  const child = spawn(shell, ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** The launcher's part: the key of this run, its record, and the program started when the record still holds. */
export function startEarly(hot: string, env: NodeJS.ProcessEnv = process.env): EarlyStart {
  const key: LaunchKey = { hot, at: process.cwd(), args: process.argv.slice(2), stdinTTY: isatty(0) };
  const file = recordFile(key, env);
  const recorded = file ? readRecord(file, key) : null;
  const early: EarlyStart = { key, file, recorded, started: null, watchdog: null, pid: null };
  if (!recorded || !stampHolds(recorded.stamp, env)) return early;
  const fromFiles = readEnvFiles(recorded.envFiles);
  if (!fromFiles) return early;
  // As hot composes it: env files, then the real environment, then what hot sets.
  const childEnv: NodeJS.ProcessEnv = { ...fromFiles, ...env, ...recorded.env };
  for (const name of recorded.unset) delete childEnv[name];
  let child: ChildProcess;
  const spawnedAt = performance.now();
  try {
    child = spawn(recorded.argv[0]!, recorded.argv.slice(1), {
      cwd: recorded.cwd,
      env: childEnv,
      detached: true,
      stdio: [recorded.stdin, 'inherit', 'inherit', ...(recorded.extraFds as Array<'ipc' | 'pipe'>)],
    });
  } catch {
    return early;
  }
  child.on('error', () => {});
  if (child.pid === undefined) return early;
  early.pid = child.pid;
  // In the same turn: hot killed from now on leaves nothing behind (the held sockets' preload also
  // stops a program that finds hot gone). The program first: it boots while this one starts.
  try {
    const watchdog = spawnWatchdogShell();
    watchdog.on('error', () => {});
    watchdog.stdin?.on('error', () => {});
    watchdog.stdin?.write(`+${child.pid}\n`);
    early.watchdog = { child: watchdog, tracked: [child.pid] };
  } catch {
    // No shell: hot starts its own watchdog, which learns of the program when hot takes it.
  }
  // The held sockets' preload says where the program listens before hot has attached: kept for it.
  const queue: QueuedMessage[] = [];
  const keep = (message: unknown, handle: unknown): void => void queue.push([message, handle]);
  child.on('internalMessage', keep);
  let heardAfterMs: number | null = null;
  const heard = new Set<(afterMs: number) => void>();
  const hear = firstListen(spawnedAt, (afterMs) => {
    child.off('internalMessage', hear);
    heardAfterMs = afterMs;
    for (const listener of heard) listener(afterMs);
    heard.clear();
  });
  child.on('internalMessage', hear);
  const onHeard = (listener: (afterMs: number) => void): void => void (heardAfterMs === null ? heard.add(listener) : listener(heardAfterMs));
  // Until hot takes it, it keeps nothing alive; hot gone, its channel closes and the preload stops it.
  child.unref();
  for (const stream of child.stdio) (stream as { unref?: () => void } | null)?.unref?.();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  const timer = setTimeout(() => discardEarly(early), UNCLAIMED_AFTER_MS);
  timer.unref();
  early.started = { child, env: childEnv, queue, stopQueueing: () => child.off('internalMessage', keep), timer, spawnedAt, onHeard };
  return early;
}

/**
 * Holds back `load` (hot's loading) until the early program listens, as the last run saw it do, so
 * that the program boots on a machine hot does not share with it: it listens ~10 ms sooner on two
 * cores. `load` runs at its first message (it listens, or asks hot for a socket), at its exit, or
 * when it takes twice as long as last time (then hot loads beside it, as without the wait). False,
 * and no call, when there is no early program or it was not seen to listen (a program that never
 * does is not held up). Ctrl-C meanwhile (SIGINT, SIGTERM, SIGHUP) stops the program as hot would:
 * its kill_signal to its group, SIGKILL after its kill_timeout (as the record says; SIGTERM and 3 s
 * by default), a second signal at once; then the launcher exits with
 * 128 + the signal's number, after the program's last words. One while hot then loads is kept for
 * hot's own handlers (takeOverSignals).
 */
export function whenListening(early: EarlyStart, load: () => void): boolean {
  const started = early.started;
  const listenMs = early.recorded?.listenMs;
  if (!started || listenMs === undefined) return false;
  let done = false;
  const settle = (): void => {
    done = true;
    clearTimeout(timer);
    started.child.off('exit', go);
    started.child.off('internalMessage', go);
  };
  let loading = false;
  let pending: NodeJS.Signals | null = null;
  const go = (): void => {
    if (done) return;
    settle();
    loading = true;
    (globalThis as Record<symbol, unknown>)[SIGNALS_KEY] = (): NodeJS.Signals | null => {
      for (const signal of Object.keys(STOP_SIGNALS)) process.off(signal, onSignal);
      return pending;
    };
    setImmediate(load);
  };
  let stopping = false;
  const onSignal = (signal: keyof typeof STOP_SIGNALS): void => {
    // hot is loading: its handlers, once in place, take it (a second one changes nothing until then).
    if (loading) return void (pending ??= signal);
    const code = 128 + STOP_SIGNALS[signal];
    const group = -started.child.pid!;
    if (stopping) {
      signalGroup(group, 'SIGKILL');
      process.exit(code);
    }
    stopping = true;
    // hot's handlers are not there yet: the launcher's stay until it exits.
    settle();
    const stop = early.recorded?.stop ?? DEFAULT_STOP;
    const deadline = Date.now() + stop.afterMs;
    // As hot stops a program: what else is in its group (a worker it forked) gets the same time.
    const finish = (): void => {
      if (groupAlive(group) && Date.now() < deadline) return void setTimeout(finish, 20);
      signalGroup(group, 'SIGKILL');
      discardEarly(early);
      process.exit(code);
    };
    signalGroup(group, stop.signal);
    finish();
  };
  // Ref'd: the launcher has nothing else to keep it alive meanwhile.
  const timer = setTimeout(go, Math.min(2 * listenMs + 100, LISTEN_WAIT_MAX_MS));
  started.child.on('internalMessage', go);
  started.child.once('exit', go);
  for (const signal of Object.keys(STOP_SIGNALS)) process.on(signal, onSignal);
  return true;
}

/**
 * hot's own stop handlers are in place: the launcher's go, and a stop signal that came while hot
 * loaded after the launcher's wait is returned, for hot to act on now. Null when there was none.
 */
export function takeOverSignals(): NodeJS.Signals | null {
  const holder = globalThis as Record<symbol, (() => NodeJS.Signals | null) | undefined>;
  const handOver = holder[SIGNALS_KEY];
  delete holder[SIGNALS_KEY];
  return handOver ? handOver() : null;
}

/** Whether any process of the group is left (a zombie still counts until its parent reaps it). */
function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch {
    // Gone already.
  }
}

/** The listen time a record keeps: the one it has while a new one stays within a factor 2 of it (no write on every run). */
export function keptListenMs(recorded: number | undefined, measured: number): number {
  return recorded !== undefined && measured <= 2 * recorded && measured >= recorded / 2 ? recorded : Math.round(measured);
}

/** The early process, for the first start to take (once): null when there is none or it has exited. */
export function takeEarly(early: EarlyStart): EarlyProcess | null {
  const started = early.started;
  early.started = null;
  if (!started) return null;
  clearTimeout(started.timer);
  started.stopQueueing();
  if (started.child.exitCode !== null || started.child.signalCode !== null) {
    dropQueue(started);
    return null;
  }
  return started;
}

/**
 * Stops the early process and its group at once (unless it is gone already), and lets go of the
 * sockets it sent; its pid when it was still waiting to be taken, else null. A watchdog hot has not
 * taken is told once the group is gone, and ends.
 */
export function discardEarly(early: EarlyStart): number | null {
  const waiting = early.started !== null;
  const started = takeEarly(early);
  if (started) stopEarly(started);
  const watchdog = early.watchdog;
  if (watchdog) {
    early.watchdog = null;
    const { child } = started ?? {};
    const done = (): void => {
      for (const pgid of watchdog.tracked) watchdog.child.stdin?.write(`-${pgid}\n`);
      watchdog.child.stdin?.end();
    };
    if (child && child.exitCode === null && child.signalCode === null) child.once('exit', done);
    else done();
  }
  return waiting ? early.pid : null;
}

/** The watchdog the launcher started, for hot to go on with (once). */
export function takeWatchdog(early: EarlyStart): EarlyWatchdog | undefined {
  const watchdog = early.watchdog ?? undefined;
  early.watchdog = null;
  // hot decides from now on when the early process goes (and tells the watchdog).
  if (early.started) clearTimeout(early.started.timer);
  return watchdog;
}

export function stopEarly(started: EarlyProcess): void {
  try {
    process.kill(-started.child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
  dropQueue(started);
}

/** Lets go of the sockets it sent, and of any it still sends (on its way out): they would keep its port taken here. */
function dropQueue(started: EarlyProcess): void {
  started.child.on('internalMessage', (_message: unknown, handle: unknown) => closeHandle(handle));
  for (const [, handle] of started.queue) closeHandle(handle);
  started.queue.length = 0;
}

function closeHandle(handle: unknown): void {
  (handle as { close?: () => void } | undefined)?.close?.();
}

/** Why the early process cannot be the program `spec` describes, or null when it can. */
export function earlyMismatch(started: EarlyProcess, record: LaunchRecord, spec: EarlySpec): string | null {
  if (spec.command.kind !== 'argv' || !sameList(spec.command.argv, record.argv)) return 'the command differs';
  if (spec.cwd !== record.cwd) return 'the directory differs';
  if ((spec.stdio ?? 'inherit') !== 'inherit' || spec.output !== undefined) return 'the output goes elsewhere';
  if ((spec.stdin ?? 'inherit') !== record.stdin) return 'stdin differs';
  if (!sameList(spec.extraFds ?? [], record.extraFds)) return 'the file descriptors differ';
  for (const name of new Set([...Object.keys(started.env), ...Object.keys(spec.env)])) if (started.env[name] !== spec.env[name]) return `${name} differs`;
  return null;
}

/** The record that lets the next run start `spec` early, or null when an early start could not match it. */
export function recordOf(key: LaunchKey, spec: EarlySpec, stamp: Stamp, hotEnv: NodeJS.ProcessEnv = process.env, envFiles: readonly string[] = [], configured: Readonly<Record<string, string>> = {}, stop?: StopSpec): LaunchRecord | null {
  if (spec.command.kind !== 'argv' || (spec.stdio ?? 'inherit') !== 'inherit' || spec.output !== undefined) return null;
  const fromFiles = readEnvFiles(envFiles);
  if (!fromFiles) return null;
  const extraFds = spec.extraFds ?? [];
  // The channel is how the early process learns that hot is gone (the held sockets' preload stops it).
  if (!extraFds.includes('ipc') || !extraFds.every((fd): fd is string => fd === 'ipc' || fd === 'pipe')) return null;
  if (/--inspect|--debug-port/.test(spec.env.NODE_OPTIONS ?? '')) return null;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    // What an env file gave is read from it again at launch: never kept here. A value made from
    // one (NODE_OPTIONS with hot's preload added) or one the file no longer holds: no record.
    const fileGave = hotEnv[name] === undefined && fromFiles[name] !== undefined && configured[name] !== value;
    if (fileGave && fromFiles[name] !== value) return null;
    if (value !== undefined && hotEnv[name] !== value && !fileGave) env[name] = value;
  }
  const unset = Object.keys(hotEnv).filter((name) => spec.env[name] === undefined);
  // What these replace must be as it was (NODE_OPTIONS of the user's own, joined with hot's), and
  // NODE_OPTIONS even where hot leaves it alone: `--inspect` there is no program to start early.
  const replaced = stampOf([], [...Object.keys(env), ...unset, 'NODE_OPTIONS'], hotEnv).env;
  const byName = new Map([...stamp.env, ...replaced]);
  const full: Stamp = { files: stamp.files, env: [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
  return { version: VERSION, ...key, argv: [...spec.command.argv], cwd: spec.cwd, env, unset, stdin: spec.stdin ?? 'inherit', extraFds: [...extraFds], envFiles: [...envFiles], stamp: full, ...(stop ? { stop: { ...stop } } : {}) };
}

/** Writes the record whole or not at all; at most MAX_RECORDS are kept. Never throws. */
export function writeRecord(file: string, record: LaunchRecord): void {
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}-${Date.now()}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(record), { flag: 'wx', mode: 0o600 });
    fs.renameSync(temp, file);
    const names = fs.readdirSync(dir);
    if (names.length <= MAX_RECORDS) return;
    const byAge = names.map((name) => ({ name, at: signatureTime(path.join(dir, name)) })).sort((a, b) => a.at - b.at);
    for (const { name } of byAge.slice(0, names.length - MAX_RECORDS)) fs.rmSync(path.join(dir, name), { force: true });
  } catch {
    // No cache to write to: every first start waits for hot, as without records.
  }
}

export function forgetRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

export function sameRecord(a: LaunchRecord | null, b: LaunchRecord | null): boolean {
  return a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * From now until `stop()`, notes every path looked at through `fs` and every variable read: what
 * decided how the program starts. `stop()` may be called again; it returns the same.
 */
export function captureReads(): { stop(): Reads } {
  const reads: Reads = { paths: new Map(), variables: new Set() };
  const patched = ['existsSync', 'statSync', 'lstatSync', 'readFileSync', 'readdirSync', 'accessSync', 'realpathSync', 'openSync'] as const;
  const target = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map(patched.map((name) => [name, target[name]!]));
  for (const [name, original] of originals) {
    const noting = function (this: unknown, ...args: unknown[]): unknown {
      const file = typeof args[0] === 'string' ? path.resolve(args[0]) : args[0] instanceof URL && args[0].protocol === 'file:' ? path.resolve(decodeURIComponent(args[0].pathname)) : null;
      // The kernel's views (whether hot runs in the foreground) change with every process: not
      // inputs of the config, and what they decide (stdin) is compared when hot takes the program.
      if (file !== null && !/^\/(proc|sys|dev)\//.test(file)) {
        const use: Use = name === 'existsSync' || name === 'accessSync' ? 'exists' : 'content';
        if (reads.paths.get(file) !== 'content') reads.paths.set(file, use);
      }
      return original.apply(this, args);
    };
    target[name] = Object.assign(noting, original);
  }
  const env = process.env;
  const note = (name: string | symbol): void => void (typeof name === 'string' && reads.variables.add(name));
  // Writes go to the real environment as they would (a value-only define is what Node refuses).
  process.env = new Proxy(env, {
    get: (object, name) => (note(name), Reflect.get(object, name)),
    has: (object, name) => (note(name), Reflect.has(object, name)),
    set: (object, name, value) => Reflect.set(object, name, value),
    deleteProperty: (object, name) => Reflect.deleteProperty(object, name),
    defineProperty: (object, name, descriptor) => Reflect.set(object, name, descriptor.value),
  });
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        process.env = env;
        for (const [name, original] of originals) target[name] = original;
      }
      return reads;
    },
  };
}

/** The stamp of these paths and variables as they are now. */
export function stampOf(paths: Iterable<string> | ReadonlyMap<string, Use>, variables: Iterable<string>, env: NodeJS.ProcessEnv = process.env): Stamp {
  const uses = paths instanceof Map ? new Map(paths) : new Map([...(paths as Iterable<string>)].map((file) => [file, 'content' as Use]));
  return {
    files: [...uses.keys()].sort().map((file) => [file, signature(file, uses.get(file)!), uses.get(file)!]),
    env: [...new Set(variables)].sort().map((name) => [name, valueStamp(env[name])]),
  };
}

/** Whether nothing the stamp names has changed. Never throws (a record is only a file in a cache). */
export function stampHolds(stamp: Stamp, env: NodeJS.ProcessEnv): boolean {
  try {
    if (!Array.isArray(stamp?.files) || !Array.isArray(stamp.env) || stamp.files.length === 0) return false;
    for (const [name, value] of stamp.env) if (valueStamp(env[name]) !== value) return false;
    for (const [file, seen, use] of stamp.files) if (signature(file, use === 'exists' ? 'exists' : 'content') !== seen) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * A variable's value as a stamp keeps it: only whether it is the same matters, so never the value
 * itself (a hash that needs no crypto module: the launcher is on the program's start path).
 */
function valueStamp(value: string | undefined): string | null {
  return value === undefined ? null : hash(value);
}

/** What changes when a file or directory is written, replaced, created or removed (a directory: when an entry is). */
function signature(file: string, use: Use): string {
  try {
    const stats = fs.statSync(file, { throwIfNoEntry: false, bigint: true });
    if (!stats) return '-';
    if (use === 'exists') return stats.isDirectory() ? 'd' : 'f';
    if (stats.isDirectory()) return `d:${hash(moduleEntries(file).join('\0'))}`;
    return `f${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch (error) {
    // A loop of links, a directory hot may not read: what it is now, compared like the rest.
    return `e:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

/** A directory's entries a module path can resolve to: source files, JSON, addons, directories. */
function moduleEntries(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || /\.(?:[cm]?[jt]sx?|json|node)$/.test(entry.name))
    .map((entry) => `${entry.isDirectory() ? 'd' : 'f'}:${entry.name}`)
    .sort();
}

function signatureTime(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** `$XDG_CACHE_HOME/hot/launch/<hash>.json`, else under `~/.cache`; null without either. */
function recordFile(key: LaunchKey, env: NodeJS.ProcessEnv): string | null {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, '.cache') : null;
  if (!base) return null;
  return path.join(base, 'hot', 'launch', `${hash(JSON.stringify([key.at, key.args, key.stdinTTY]))}.json`);
}

/** The record, when it is this user's own regular file that nobody else may write, and says what a record says. */
export function readRecord(file: string, key: LaunchKey): LaunchRecord | null {
  try {
    for (const own of [file, path.dirname(file)]) {
      const stats = fs.lstatSync(own);
      if (stats.isSymbolicLink() || (process.getuid && stats.uid !== process.getuid()) || (stats.mode & 0o022) !== 0) return null;
    }
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as LaunchRecord;
    if (record.version !== VERSION || record.hot !== key.hot || record.at !== key.at || record.stdinTTY !== key.stdinTTY || !sameList(record.args, key.args)) return null;
    if (!Array.isArray(record.argv) || record.argv.length === 0 || !record.argv.every((arg) => typeof arg === 'string') || typeof record.cwd !== 'string') return null;
    if (!Array.isArray(record.unset) || !Array.isArray(record.extraFds) || !record.extraFds.every((fd) => fd === 'ipc' || fd === 'pipe')) return null;
    if (typeof record.env !== 'object' || record.env === null || !Object.values(record.env).every((value) => typeof value === 'string')) return null;
    if (record.stdin !== 'inherit' && record.stdin !== 'ignore') return null;
    if (!Array.isArray(record.envFiles) || !record.envFiles.every((file) => typeof file === 'string')) return null;
    if (record.listenMs !== undefined && !(typeof record.listenMs === 'number' && record.listenMs >= 0 && Number.isFinite(record.listenMs))) return null;
    if (record.stop !== undefined && !isStopSpec(record.stop)) return null;
    return record;
  } catch {
    return null;
  }
}

function isStopSpec(stop: unknown): stop is StopSpec {
  const { signal, afterMs } = (stop ?? {}) as Partial<StopSpec>;
  return typeof signal === 'string' && Object.hasOwn(constants.signals, signal) && typeof afterMs === 'number' && afterMs >= 0 && Number.isFinite(afterMs);
}

/**
 * The variables of these env files, later ones over earlier ones, as hot reads them (Node's own
 * parser); null when one is not a regular file or holds what hot would refuse (UTF-16, a NUL):
 * hot then reads them itself, and says what is wrong. A missing one gives nothing, as in hot.
 */
function readEnvFiles(files: readonly string[]): Record<string, string> | null {
  const variables: Record<string, string> = {};
  for (const file of files) {
    const stats = fs.statSync(file, { throwIfNoEntry: false });
    if (!stats) continue;
    if (!stats.isFile()) return null;
    const bytes = fs.readFileSync(file);
    if (bytes.includes(0)) return null;
    Object.assign(variables, parseEnv(bytes.toString('utf8').replace(/^\uFEFF/, '')));
  }
  return variables;
}

/** Two 32-bit FNV-1a hashes (the second over shifted codes), as hex: names a file, nothing more. */
function hash(text: string): string {
  let low = 0x811c9dc5;
  let high = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    low = Math.imul(low ^ text.charCodeAt(i), 0x01000193) >>> 0;
    high = Math.imul(high ^ (text.charCodeAt(i) + i), 0x01000193) >>> 0;
  }
  return `${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`;
}
