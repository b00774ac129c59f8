import { loadConfig } from './config/load.js';
import { POLL_INTERVAL_MS, type ResolvedConfig } from './config/schema.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { discardEarly, stampOf, takeWatchdog, type EarlyStart, type Stamp, type StopSpec } from './early-start.js';
import type { HotEvent, HotEventOf, HotEventType } from './events.js';
import { createHandoff } from './handoff/generations.js';
import { createPipeline, type Pipeline } from './pipeline/pipeline.js';
import { adoptingSpawn } from './supervise/adopt.js';
import { spawnChild, type ProgramOutput, type SpawnChild } from './supervise/child.js';
import { startWatchdog, untrackWhenGone, watchedSpawn, type Watchdog } from './supervise/watchdog.js';
import { createLogger, type Logger } from './ui/logger.js';
import { createReport } from './ui/report.js';
import { createRouter, type Router } from './watch/router.js';

/** The latest the watcher starts when nothing is built before the program (a slow pre_build hook, say). */
const WATCHER_START_LATEST_MS = 100;

export interface HotOptions {
  /** The resolved config; without it, `.hotrc.toml` in `cwd` is loaded (and re-read when it changes). */
  config?: ResolvedConfig;
  /** hot's own log lines; default: info level on stderr. */
  logger?: Logger;
  /** Whether compiler messages may carry colour. */
  color?: boolean;
  /** Base for the paths hot prints and where the config is looked for; defaults to process.cwd(). */
  cwd?: string;
  /** Re-reads the config file after it changes; throws a ConfigError when the new one is invalid. */
  reloadConfig?: () => ResolvedConfig;
  /** Where the program's output goes instead of hot's stdout and stderr. */
  programOutput?: ProgramOutput;
  /** 'ignore' while hot reads the terminal for its shortcuts; default: the program inherits stdin. */
  programStdin?: 'inherit' | 'ignore';
  /**
   * The program as hot's launcher started it ahead of hot, which the first start takes when it
   * matches, and what resolving `config` read, as it was then (the next run's record starts there).
   */
  early?: { start: EarlyStart; configStamp: Stamp };
  /** When the developer launched hot (ms since the epoch; the CLI: its process's start): the first "ready in" counts from there, not from when hot began its first build. */
  launchedAt?: number;
}

/** What every running hot offers, a single app and a workspace alike. */
export interface HotControls {
  /** Resolves when the watcher is ready and the first build-and-start cycle has finished. */
  readonly ready: Promise<void>;
  /** Rebuilds and restarts now, whatever the output; resolves when that cycle is over. */
  restart(reason: string): Promise<void>;
  /** Rebuilds now, and restarts only when the output changed (always without a build); resolves when done. */
  build(reason: string): Promise<void>;
  /** Stops acting on changes; they are remembered, and resume() acts on them in one cycle. */
  pause(): void;
  resume(): void;
  /** Stops watching and stops the programs through their kill path; after it resolves nothing hot started is alive. Idempotent. */
  close(): Promise<void>;
  /** SIGKILL to the programs', any build's and any hook's process groups, for a second Ctrl-C. */
  kill(): void;
}

/** The server object: what `hot` runs, and what `createHot()` returns to a script. */
export interface HotApp extends HotControls {
  /** Where the app stands, in a few words: `running`, `crashed, waiting for changes`. */
  status(): string;
  /** Calls `listener` for each event of this type (`'*'`: every event); returns a function that stops it. */
  on<T extends HotEventType>(type: T, listener: (event: HotEventOf<T>) => void): () => void;
  on(type: '*', listener: (event: HotEvent) => void): () => void;
}

/** Gives every program the caller's output streams and stdin (hooks and builds pipe their own). */
export function withProgramIO(spawn: SpawnChild, output?: ProgramOutput, stdin?: 'inherit' | 'ignore'): SpawnChild {
  if (!output && !stdin) return spawn;
  return (spec) => spawn({ ...spec, ...(output ? { output } : {}), ...(stdin ? { stdin } : {}) });
}

/**
 * One app: a router with one subscription, one pipeline (which owns the job and the handoff), and
 * a watchdog. close() closes them in reverse order of creation and waits for what is in flight.
 */
export function createHot(given: HotOptions = {}): HotApp {
  return new HotServer(given);
}

class HotServer implements HotApp {
  readonly ready: Promise<void>;
  // Every process group hot starts is known to a watchdog that cleans up if hot is killed outright.
  readonly #watchdog: Watchdog;
  readonly #router: Router;
  readonly #pipeline: Pipeline;
  readonly #early: EarlyStart | undefined;
  #closing: Promise<void> | undefined;

  constructor(given: HotOptions) {
    const cwd = given.cwd ?? process.cwd();
    const load = (): ResolvedConfig => loadConfig({ cwd, overrides: {} });
    const config = given.config ?? load();
    const logger = given.logger ?? createLogger({ level: 'info' });
    const early = given.early;
    this.#early = early?.start;
    this.#watchdog = startWatchdog(logger, '/bin/sh', early && takeWatchdog(early.start));
    const base = early
      ? adoptingSpawn(spawnChild, {
          early: early.start,
          stamp: () => this.#stamp(config, early.configStamp),
          notUsed: (why) => logger.debug(`the program started at launch is not used (${why}): it is stopped, and started again`),
          used: (pid) => logger.debug(`the program started at launch (pid ${pid}) is the first start: nothing it read has changed since the last run`),
          stopped: (pid) => untrackWhenGone(pid, this.#watchdog),
        })
      : spawnChild;
    const spawn = withProgramIO(watchedSpawn(base, this.#watchdog), given.programOutput, given.programStdin);
    this.#router = createRouter({
      root: config.watch.root,
      isIgnored: () => false,
      poll: config.watch.poll,
      pollIntervalMs: POLL_INTERVAL_MS,
      onPolling: () => this.#announceWatching(),
      logger,
    });
    const reloadConfig = given.reloadConfig ?? (given.config ? null : load);
    const pipeline = createPipeline({ config, cwd, logger, router: this.#router, spawn, handoff: createHandoff(config.serve), reloadConfig, color: given.color ?? false });
    // Not taken by the first cycle's start (its build failed): it goes.
    if (early) void pipeline.firstCycle.then(() => this.#dropEarly());
    this.#pipeline = pipeline;
    pipeline.on(createReport(logger, cwd));
    if (config.run.command && config.run.standbyOff) logger.debug(`warm standby off: ${config.run.standbyOff}`);
    // With a build, the watcher starts at once: a save during the first build must count.
    if (config.build.kind === 'none') this.#startWatcherSoon(pipeline);
    else this.#router.start();
    const watching = this.#router.ready.then(() => this.#announceWatching());
    this.ready = (async () => {
      // Listeners attached right after createHot() returns hear the first cycle's events too.
      await Promise.resolve();
      await pipeline.start(given.launchedAt);
      await Promise.all([watching, pipeline.firstCycle]);
    })();
  }

  async restart(reason: string): Promise<void> {
    await this.#pipeline.request({ type: 'manual', rebuildOnly: false, reason });
  }

  async build(reason: string): Promise<void> {
    await this.#pipeline.request({ type: 'manual', rebuildOnly: true, reason });
  }

  pause(): void {
    this.#pipeline.send({ type: 'pause' });
  }

  resume(): void {
    this.#pipeline.send({ type: 'resume' });
  }

  status(): string {
    return this.#pipeline.status();
  }

  on<T extends HotEventType>(type: T | '*', listener: (event: HotEventOf<T>) => void): () => void {
    const deliver = listener as (event: HotEvent) => void;
    return this.#pipeline.on((event) => {
      if (type === '*' || event.type === type) deliver(event);
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#dropEarly();
      await this.#pipeline.close();
      await this.#router.close();
      this.#watchdog.close();
    })();
    return this.#closing;
  }

  kill(): void {
    this.#dropEarly();
    this.#pipeline.kill();
  }

  /**
   * With no build, the watcher starts once the program is spawned (its walk runs while the program
   * boots on another core, not before it), when the first cycle ends without one, or after
   * WATCHER_START_LATEST_MS, whichever comes first. Started first, it would not be up before the
   * spawn either: its walk and subscription finish a few turns later.
   */
  #startWatcherSoon(pipeline: Pipeline): void {
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      stopListening();
      clearTimeout(latest);
      if (!this.#closing) this.#router.start();
    };
    const stopListening = pipeline.on((event) => {
      if (event.type === 'spawn') setImmediate(start);
    });
    const latest = setTimeout(start, WATCHER_START_LATEST_MS).unref();
    void pipeline.firstCycle.then(start);
  }

  /** The early process nobody took goes (the watchdog forgets it once it is gone). */
  #dropEarly(): void {
    const pid = this.#early ? discardEarly(this.#early) : null;
    if (pid !== null) untrackWhenGone(pid, this.#watchdog);
  }

  /**
   * What the first start depended on, as it is now, for the next run's launcher: what resolving the
   * config read, and the build's inputs with their directories (the gate passes again on the same
   * files), and the env files (read again by the launcher, never kept). Null where an early start
   * must not run the program: a build command or hooks (they run first), a type check that blocks,
   * a proxy, and the standby off (`[run] standby = false` asks for plain cold starts).
   */
  #stamp(config: ResolvedConfig, configStamp: Stamp): { stamp: Stamp; envFiles: readonly string[]; runEnv: Readonly<Record<string, string>>; stop: StopSpec } | null {
    const { build, hooks, serve, check, run } = config;
    if (!run.standby || run.command?.kind !== 'argv') return null;
    if (build.kind === 'command' || (build.kind === 'esbuild' && build.outfile !== null)) return null;
    if (Object.values(hooks).some((hook) => hook !== null) || check.types === 'block') return null;
    if (serve.strategy !== 'hold' || serve.liveReload) return null;
    // Without a build, what the program is made of is unknown: at least its entry file.
    const inputs = build.kind === 'esbuild' ? [...this.#pipeline.buildInputs()] : [path.resolve(run.cwd, run.command.argv[run.standby.preloadAt] ?? '.')];
    // Env files too: what the launcher reads from them must be what this start was given.
    const files = [...inputs, ...inputs.map((file) => path.dirname(file)), ...run.envFiles];
    if (build.kind === 'esbuild') files.push(esbuildPackage());
    const own = new Set(configStamp.files.map(([file]) => file));
    return { stamp: { files: [...configStamp.files, ...stampOf(files.filter((file) => !own.has(file)), []).files], env: configStamp.env }, envFiles: run.envFiles, runEnv: run.env, stop: { signal: run.killSignal, afterMs: run.killTimeoutMs } };
  }

  #announceWatching(): void {
    if (!this.#closing) this.#pipeline.announceWatching();
  }
}

/** esbuild's package.json: another esbuild may judge the same files otherwise. */
function esbuildPackage(): string {
  try {
    return createRequire(import.meta.url).resolve('esbuild/package.json');
  } catch {
    return 'esbuild';
  }
}

/** The name this API had first; the same function. */
export const startHot = createHot;
