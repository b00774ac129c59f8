import { statSync } from 'node:fs';
import { createNoBuilder, type Builder } from './build/builder.js';
import { createCommandBuilder } from './build/command.js';
import { createEsbuildBuilder } from './build/esbuild.js';
import { createLoopGuard, type Writer } from './build/loop-guard.js';
import { describeCommand } from './config/command-line.js';
import { loadConfig } from './config/load.js';
import { POLL_INTERVAL_MS, type Command, type ResolvedConfig } from './config/schema.js';
import { isHotError } from './errors.js';
import type { BuildResult, ChangeBatch, ChildExit, FileChange, HotEvent, HotEventOf, HotEventType, SupervisorEvent, Trigger } from './events.js';
import { proxyGenerations, socketGenerations } from './handoff/generations.js';
import { createProxy, type Proxy } from './handoff/proxy.js';
import { openSharedSocket, type SharedSocket } from './handoff/socket.js';
import { decideAfterExit } from './supervise/backoff.js';
import { spawnChild, type ProgramOutput, type SpawnChild } from './supervise/child.js';
import { changedPathsVariables } from './supervise/env.js';
import { isOpenForWritingByGroup } from './supervise/open-files.js';
import { describeHookFailure, HOOK_TIMEOUT_MS, runHook, type HookName, type HookOutcome } from './supervise/hooks.js';
import { startWatchdog, watchedSpawn, type Watchdog } from './supervise/watchdog.js';
import { createSupervisor, type Handoff, type StartResult, type Supervisor, type SupervisorCounters } from './supervise/supervisor.js';
import { describeExitStatus, formatDuration, formatPaths, relativeTo } from './ui/format.js';
import { createLogger, type Logger } from './ui/logger.js';
import { BURST_QUIET_MS, createBatcher, type Batcher } from './watch/batch.js';
import { createMoveTracker } from './watch/move-tracker.js';
import { createPathFilter, type PathFilter } from './watch/filter.js';
import { loadGitignoreRules } from './watch/gitignore.js';
import { createWatcher, type Watcher, type WatcherOptions } from './watch/watcher.js';

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
  /** Makes the watcher; in a monorepo, a view of the one watcher all packages share. */
  createWatcher?: (options: WatcherOptions) => Watcher;
  /** Where the program's output goes instead of hot's stdout and stderr (a monorepo prefixes it). */
  programOutput?: ProgramOutput;
  /** 'ignore' while hot reads the terminal for its shortcuts; default: the program inherits stdin. */
  programStdin?: 'inherit' | 'ignore';
  /** Whether to print the "watching …" line; a monorepo prints one line for all packages. Default true. */
  announceWatching?: boolean;
  /** The first build waits for this: in a monorepo, the packages this one depends on being ready. */
  startAfter?: Promise<unknown>;
  /** One watchdog for many packages; the app closes only the one it started itself. */
  watchdog?: Watchdog;
  /** Told how each cycle ended. */
  onCycle?: (cycle: CycleReport) => void;
}

/** How one build-and-restart cycle ended, for a monorepo to pass changes on to dependent packages. */
export interface CycleReport {
  trigger: Trigger['type'];
  /** Whether the cycle came (at least partly) from this package's own files or a manual request. */
  own: boolean;
  paths: readonly string[];
  /** 'built': the build succeeded (the program restarted, or did not need to). */
  outcome: 'built' | 'build-failed' | 'skipped';
}

export interface HotApp {
  /** Resolves when the watcher is ready and the first build-and-start cycle has finished. */
  readonly ready: Promise<void>;
  /** Rebuilds and restarts now, whatever the output; resolves when that cycle is over. */
  restart(reason: string): Promise<void>;
  /** Rebuilds now, and restarts only when the output changed (always without a build); resolves when done. */
  build(reason: string): Promise<void>;
  /** Re-reads the config now (a monorepo's root config changed); resolves when that cycle is over. */
  reloadConfig(changedFile: string): Promise<void>;
  /** Stops acting on changes; they are remembered, and resume() acts on them in one cycle. */
  pause(): void;
  resume(): void;
  /** Stops watching and stops the program through its kill path. Idempotent. */
  close(): Promise<void>;
  /** SIGKILL to the program's and any build's process group, for a second Ctrl-C. */
  kill(): void;
  /**
   * Rebuilds because something this package depends on changed, and restarts when the build's
   * output changed (always without a build). Resolves when that cycle is over.
   */
  rebuild(paths: readonly string[], reason: string): Promise<CycleReport['outcome']>;
  /** True when the last build read this file. */
  isBuildInput(absolutePath: string): boolean;
  /** Where the package stands, in a few words: `running`, `crashed, waiting for changes`. */
  status(): string;
  /** Calls `listener` for each event of this type (`'*'`: every event); returns a function that stops it. */
  on<T extends HotEventType>(type: T, listener: (event: HotEventOf<T>) => void): () => void;
  on(type: '*', listener: (event: HotEvent) => void): () => void;
}

type TriggerType = Trigger['type'];
/** When triggers pile up during a cycle, the next cycle runs as the most demanding of them. */
const TRIGGER_WEIGHT: Record<TriggerType, number> = { retry: 0, start: 1, changes: 2, manual: 3, 'config-changed': 4 };

interface Stages {
  config: ResolvedConfig;
  filter: PathFilter;
  builder: Builder;
  supervisor: Supervisor;
  batcher: Batcher;
  watcher: Watcher;
}

/**
 * The orchestrator: watcher -> filter -> batch -> build -> supervisor, and all of the runtime policy.
 * One cycle (build, then restart) at a time; triggers arriving meanwhile merge into exactly one more.
 */
export function startHot(given: HotOptions = {}): HotApp {
  const cwd = given.cwd ?? process.cwd();
  const load = (): ResolvedConfig => loadConfig({ cwd, overrides: {} });
  const options = { ...given, config: given.config ?? load(), ...(given.config || given.reloadConfig ? {} : { reloadConfig: load }) };
  const logger = given.logger ?? createLogger({ level: 'info' });
  const loopGuard = createLoopGuard();
  const moveTracker = createMoveTracker();
  let crashTimes: number[] = [];
  let closed = false;
  let busy = false;
  /** The next cycle: merged triggers; `own` once any of them came from this package itself. */
  let pending: { type: TriggerType; paths: string[]; reason: string | null; own: boolean; upstream: boolean; done: Array<(outcome: CycleReport['outcome']) => void> } | null = null;
  let lastOutcome: CycleReport['outcome'] | null = null;
  /** Files found open for writing by the program: reported once each. */
  const programWrites = new Set<string>();
  let paused = false;
  let pausedPaths: string[] = [];
  /** When the running cycle began: `ready in` counts from here, build included. */
  let cycleStartedAt = Date.now();
  const listeners = new Map<string, Set<(event: HotEvent) => void>>();
  let stoppedEmitted = false;
  const emit = (event: HotEvent): void => {
    // Nothing happens after 'stopped': a hook or build finishing during close() stays silent.
    if (stoppedEmitted) return;
    if (event.type === 'stopped') stoppedEmitted = true;
    for (const key of [event.type, '*']) {
      for (const listener of listeners.get(key) ?? []) {
        try {
          listener(event);
        } catch (error) {
          logger.error(`an event listener threw: ${(error as Error).stack ?? String(error)}`);
        }
      }
    }
  };
  /** What the pipeline is doing, for status(). */
  let phase: 'waiting for dependencies' | 'building' | 'idle' = 'idle';
  let closing: Promise<void> | undefined;
  let firstCycle: (() => void) | undefined;
  /** Set when the config's [run] changed: the running program belongs to the old one until the next start. */
  let runOutdated = false;
  /** Set once the system ran out of inotify watches: every watcher from then on polls. */
  let pollingForced = false;
  const serve = options.config.serve;
  const proxy: Proxy | null =
    serve.strategy === 'proxy' ? createProxy({ host: serve.host, port: serve.port, mode: serve.mode, waitTimeoutMs: serve.readyTimeoutMs, liveReload: serve.liveReload }) : null;
  let sharedSocket: SharedSocket | null = null;
  let publicPort = serve.port ?? 0;
  const handoff: Handoff | undefined =
    proxy && serve.strategy === 'proxy'
      ? proxyGenerations(proxy, serve, () => publicPort)
      : serve.strategy === 'socket'
        ? socketGenerations(() => sharedSocket!, serve, options.config.run.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS)
        : undefined;
  const counters: SupervisorCounters = { spawns: 0, generations: 0 };
  // Every process group hot starts is known to a watchdog that cleans up if hot is killed outright.
  const watchdog = options.watchdog ?? startWatchdog();
  const spawnWatched = watchedSpawn(spawnChild, watchdog);
  const { programOutput } = options;
  const programStdin = options.programStdin;
  const spawn: SpawnChild =
    programOutput || programStdin ? (spec) => spawnWatched({ ...spec, ...(programOutput ? { output: programOutput } : {}), ...(programStdin ? { stdin: programStdin } : {}) }) : spawnWatched;
  /** Supervisors replaced after a [run] change whose program is still draining: kill() and close() reach them too. */
  const retiring = new Set<Supervisor>();
  let stages: Stages = createStages(options.config);

  function createStages(config: ResolvedConfig, reuse: Partial<Stages> = {}): Stages {
    const { watch } = config;
    const filter = reuse.filter ?? createPathFilter({ ...watch, gitignoreRules: watch.gitignore ? loadGitignoreRules(watch.root) : null });
    return {
      config,
      filter,
      builder: reuse.builder ?? makeBuilder(config),
      supervisor: reuse.supervisor ?? makeSupervisor(config),
      batcher: reuse.batcher ?? makeBatcher(config),
      watcher: reuse.watcher ?? makeWatcher(config, filter),
    };
  }

  /** Polling finds the files of a burst up to one interval apart: its bursts wait two intervals of quiet. */
  function makeBatcher(config: ResolvedConfig, poll = config.watch.poll || pollingForced): Batcher {
    return createBatcher(config.watch.delayMs, (batch) => onBatch(batch), poll ? Math.max(BURST_QUIET_MS, 2 * POLL_INTERVAL_MS) : BURST_QUIET_MS);
  }

  function makeBuilder(config: ResolvedConfig): Builder {
    const { build } = config;
    switch (build.kind) {
      case 'none':
        return createNoBuilder();
      case 'esbuild':
        return createEsbuildBuilder({ ...build, logger, color: options.color ?? false });
      case 'command':
        return createCommandBuilder({ ...build, logger, spawn, describe: describeCommand });
    }
  }

  function makeSupervisor(config: ResolvedConfig): Supervisor {
    return createSupervisor({
      run: config.run,
      counters,
      spawn,
      ...(handoff ? { handoff } : {}),
      onEvent: (event) => onSupervisorEvent(event),
      onEnvFileProblem: (file, reason) => logger.warn(`cannot read env file ${relativeTo(file, cwd)} (${reason}), starting without it`),
    });
  }

  function makeWatcher(config: ResolvedConfig, filter: PathFilter, poll = config.watch.poll || pollingForced): Watcher {
    const { root, alwaysWatch } = config.watch;
    return (options.createWatcher ?? createWatcher)({
      root,
      // Watched whatever the ignore rules say; env files may be outside the root. A monorepo's root
      // config is the monorepo's to watch: it reloads the packages in dependency order.
      extraPaths: alwaysWatch.filter((file) => file !== config.baseConfigFile),
      // A watcher lives exactly as long as its filter: a reload that changes one replaces both.
      isIgnored: (file, isDirectory) => filter.isIgnored(file, isDirectory),
      onChange: (change) => onChange(change),
      poll,
      pollIntervalMs: POLL_INTERVAL_MS,
      onWatchLimit: () => void switchToPolling(),
      logger,
    });
  }

  /** Out of inotify watches: a polling watcher replaces the event-based one, which misses changes. */
  async function switchToPolling(): Promise<void> {
    if (pollingForced || closed) return;
    pollingForced = true;
    const previous = stages.watcher;
    const next = makeWatcher(stages.config, stages.filter, true);
    const batcher = makeBatcher(stages.config, true);
    for (const file of stages.batcher.takePending()) batcher.add(file);
    stages.batcher.close();
    stages = { ...stages, watcher: next, batcher };
    await next.ready;
    await previous.close();
    if (!closed) logger.info(`watching ${relativeTo(stages.config.watch.root, cwd)} (${next.watchedFileCount()} files, polling every ${POLL_INTERVAL_MS} ms; build: ${stages.builder.description})`);
  }

  function onChange(change: FileChange): void {
    if (closed) return;
    const relevant = stages.filter.isIncluded(change.path) || stages.builder.isInput(change.path);
    logger.debug(`${change.kind} ${relativeTo(change.path, cwd)}${relevant ? '' : ' (not watched by include, ignored)'}`);
    if (!relevant) return;
    if (isWrittenByProgram(change.path)) return;
    if (moveTracker.isTailOfMove(change)) {
      logger.debug(`${relativeTo(change.path, cwd)} moved (its new path was already seen)`);
      return;
    }
    loopGuard.noteChange(change.path, modifiedAt(change.path), SOURCE_FILE.test(change.path) || stages.builder.isInput(change.path));
    stages.batcher.add(change.path);
  }

  /**
   * A data file the running program holds open for writing (its log, its database) changes because
   * of the program itself: never a reason to restart it. Code is never treated so.
   */
  function isWrittenByProgram(file: string): boolean {
    const pid = stages.supervisor.pid;
    if (pid === null || SOURCE_FILE.test(file) || stages.builder.isInput(file) || isConfigFile(file)) return false;
    if (!isOpenForWritingByGroup(pid, file)) return false;
    if (!programWrites.has(file)) {
      programWrites.add(file);
      logger.info(`${relativeTo(file, cwd)} is written by the app itself (it holds it open): not a reason to restart`, { hint: 'add it to exclude to stop watching it' });
    }
    return true;
  }

  function onBatch(batch: ChangeBatch): void {
    if (paused) {
      for (const file of batch.paths) if (!pausedPaths.includes(file)) pausedPaths.push(file);
      return;
    }
    const configChanged = batch.paths.some((file) => isConfigFile(file));
    emit({ type: 'change', paths: [...batch.paths] });
    void request(configChanged ? 'config-changed' : 'changes', batch.paths);
  }

  function isConfigFile(file: string): boolean {
    return file === stages.config.configFile || file === stages.config.baseConfigFile;
  }

  /** Queues a cycle (merging into the one already queued); resolves when that cycle is over. */
  function request(type: TriggerType, paths: readonly string[] = [], reason: string | null = null, own = true): Promise<CycleReport['outcome']> {
    if (closed) return Promise.resolve('skipped');
    const upstream = !own;
    const finished = new Promise<CycleReport['outcome']>((resolve) => {
      if (!pending) pending = { type, paths: [...paths], reason, own, upstream, done: [resolve] };
      else {
        if (TRIGGER_WEIGHT[type] > TRIGGER_WEIGHT[pending.type]) pending.type = type;
        for (const file of paths) if (!pending.paths.includes(file)) pending.paths.push(file);
        pending.reason ??= reason;
        pending.own ||= own;
        pending.upstream ||= upstream;
        pending.done.push(resolve);
      }
    });
    if (!busy) void drain();
    return finished;
  }

  async function drain(): Promise<void> {
    busy = true;
    while (pending && !closed) {
      const next = pending;
      pending = null;
      let outcome: CycleReport['outcome'] = 'skipped';
      try {
        if (next.type === 'start' && options.startAfter) {
          phase = 'waiting for dependencies';
          await options.startAfter;
        }
        if (closed) {
          for (const resolve of next.done) resolve('skipped');
          break;
        }
        phase = 'building';
        cycleStartedAt = Date.now();
        outcome = (await runCycle(next.type, next.paths, next.reason, next.upstream)) ?? 'skipped';
      } catch (error) {
        logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
      }
      phase = 'idle';
      if (outcome !== 'skipped') lastOutcome = outcome;
      if (!closed) options.onCycle?.({ trigger: next.type, own: next.own, paths: next.paths, outcome });
      for (const resolve of next.done) resolve(outcome);
    }
    busy = false;
    firstCycle?.();
    firstCycle = undefined;
  }

  async function runCycle(type: TriggerType, paths: string[], reason: string | null, upstream = false): Promise<CycleReport['outcome'] | undefined> {
    if (type === 'retry') {
      // A build that started the program since the crash makes this retry stale.
      if (stages.supervisor.state === 'backoff') await startProgram(paths, null, 'restarting after crash');
      return undefined;
    }
    if (type === 'config-changed') {
      const applied = await applyNewConfig();
      if (closed) return;
      if (!applied) {
        const sourcePaths = paths.filter((file) => !isConfigFile(file));
        if (sourcePaths.length === 0) return undefined;
        type = 'changes';
        paths = sourcePaths;
      }
    }
    const loop = type === 'changes' ? loopGuard.isLooping(paths) : null;
    if (loop) {
      reportLoop(loop, paths);
      return undefined;
    }
    if (type !== 'start') crashTimes = [];
    const result = await runBuild(paths);
    if (closed) return undefined;
    if (result.type === 'build-failed') {
      await reportBuildFailure(result);
      return 'build-failed';
    }
    const why = describeTrigger(type, paths, reason);
    if (stages.config.run.command === null) {
      logger.success(`${type === 'start' ? 'built' : `${why}, rebuilt`} (in ${formatDuration(result.durationMs)})`);
      return 'built';
    }
    // A package this one depends on changed: only a bundle that takes it in can tell whether that matters.
    const { build } = stages.config;
    const bundlesUpstream = build.kind === 'esbuild' && build.bundlePackages.length > 0;
    const mustRestart = type !== 'changes' || runOutdated || (upstream && !bundlesUpstream) || paths.some((file) => stages.config.watch.alwaysWatch.includes(file));
    if (!result.outputChanged && stages.supervisor.state === 'running' && !mustRestart) {
      emit({ type: 'restart-skipped', reason: 'output-unchanged' });
      logger.info(`${why}, output unchanged (built in ${formatDuration(result.durationMs)}): not restarting`);
      return 'built';
    }
    await startProgram(paths, result, type === 'start' ? 'started' : `restarting: ${why}`);
    return 'built';
  }

  /** A cycle that would continue a write loop: what writes, and what to do about it. */
  function reportLoop(writer: Writer, paths: readonly string[]): void {
    const them = paths.length === 1 ? 'it' : 'them';
    const says: Record<Writer, { when: string; who: string; hint: string }> = {
      build: { when: 'again during the build', who: 'the build seems', hint: 'exclude the build output (set build.output, or add it to exclude)' },
      hook: { when: 'while a hook ran', who: 'a hook seems', hint: `have the hook write outside the watched tree, or add ${them} to exclude` },
      program: { when: 'right after the app started', who: 'the app seems', hint: `add ${them} to exclude, or have the app write outside the watched tree` },
    };
    const { when, who, hint } = says[writer];
    emit({ type: 'restart-skipped', reason: `${writer}-loop` });
    logger.error(`${formatPaths(paths, cwd)} changed ${when}, for the 3rd time in a row: ${who} to write into watched files. Not rebuilding until something else changes`, { hint });
  }

  /** pre_build, the build, then post_build; a failing pre_build counts as a failed build. */
  async function buildWithHooks(paths: readonly string[]): Promise<BuildResult> {
    const { hooks } = stages.config;
    const changed = changedPathsVariables(paths);
    if (hooks.preBuild) {
      const startedAt = Date.now();
      const outcome = await runNamedHook('pre_build', hooks.preBuild, changed);
      if (outcome && !outcome.ok) {
        const why = describeHookFailure(outcome, HOOK_TIMEOUT_MS);
        return { type: 'build-failed', durationMs: Date.now() - startedAt, diagnostics: `hooks.pre_build (${describeCommand(hooks.preBuild)}) ${why}` };
      }
    }
    // hot was closed while the hook ran: the builder is gone.
    if (closed) return { type: 'build-failed', durationMs: 0, diagnostics: 'hot is shutting down' };
    const result = await stages.builder.build();
    if (result.type === 'built' && hooks.postBuild && !closed) {
      const outcome = await runNamedHook('post_build', hooks.postBuild, { ...changed, HOT_BUILD_MS: String(result.durationMs) });
      if (outcome && !outcome.ok) logger.warn(`hooks.post_build (${describeCommand(hooks.postBuild)}) ${describeHookFailure(outcome, HOOK_TIMEOUT_MS)}; going on with the restart`);
    }
    return result;
  }

  /** Runs a hook in its own group; null once hot is closing. Files it writes count toward loop detection. */
  async function runNamedHook(name: HookName, command: Command, values: Record<string, string>): Promise<HookOutcome | null> {
    if (closed) return null;
    const { config } = stages;
    logger.debug(`running hooks.${name}: ${describeCommand(command)}`);
    const hookFinished = loopGuard.hookStarted();
    const outcome = await runHook(
      { spawn, cwd: config.watch.root, env: { ...process.env, ...config.run.env }, timeoutMs: HOOK_TIMEOUT_MS, killTimeoutMs: config.run.killTimeoutMs },
      name,
      command,
      values,
    );
    hookFinished();
    return outcome;
  }

  async function runBuild(paths: readonly string[] = []): Promise<BuildResult> {
    logger.debug(`building (${stages.builder.description})`);
    loopGuard.buildStarted();
    emit({ type: 'build-start' });
    let result: BuildResult;
    try {
      result = await buildWithHooks(paths);
    } finally {
      loopGuard.buildFinished();
    }
    emit(result.type === 'built' ? { type: 'build-ok', durationMs: result.durationMs, outputChanged: result.outputChanged } : { type: 'build-failed', durationMs: result.durationMs, diagnostics: stripAnsi(result.diagnostics) });
    proxy?.announce(result.type === 'built' ? { type: 'build-ok' } : { type: 'build-error', text: stripAnsi(result.diagnostics) });
    return result;
  }

  async function startProgram(paths: string[], build: BuildResult | null, headline: string): Promise<void> {
    if (closed) return;
    const result = runOutdated ? await startWithNewRunSettings(paths) : await stages.supervisor.start({ changedPaths: paths });
    if (closed) return;
    if (!result.ok) return onStartFailed(result);
    const readyMs = Date.now() - cycleStartedAt;
    const buildMs = build && build.durationMs > 0 ? build.durationMs : null;
    // Ready means listening on its port with [serve]; without it, started.
    const details = [buildMs !== null ? `built in ${formatDuration(buildMs)}` : null, `ready in ${formatDuration(readyMs)}`, `pid ${result.pid}`].filter(Boolean).join(', ');
    const subject = headline === 'started' ? `started ${programLabel()}${publicUrl ? ` on ${publicUrl}` : ''}` : headline;
    logger.success(`${subject} (${details})`);
    emit({ type: 'ready', pid: result.pid, readyMs, buildMs, reason: subject });
    proxy?.announce({ type: 'reload' });
    const { onRestart } = stages.config.hooks;
    if (onRestart) {
      const outcome = await runNamedHook('on_restart', onRestart, { ...changedPathsVariables(paths), HOT_PID: String(result.pid) });
      if (outcome && !outcome.ok) logger.warn(`hooks.on_restart (${describeCommand(onRestart)}) ${describeHookFailure(outcome, HOOK_TIMEOUT_MS)}`);
    }
  }

  /**
   * The program runs with the previous [run] settings, which belong to its supervisor. A new
   * supervisor starts the new program; the old one is closed once that worked (with a handoff, after
   * the switch, so requests keep being answered) or before (without one, to free the port).
   */
  async function startWithNewRunSettings(paths: string[]): Promise<StartResult> {
    const outdated = stages.supervisor;
    const fresh = makeSupervisor(stages.config);
    retiring.add(outdated);
    if (!handoff) await outdated.close();
    const result = await fresh.start({ changedPaths: paths });
    if (result.ok || !handoff) {
      stages = { ...stages, supervisor: fresh };
      runOutdated = false;
      // As in a switch within one supervisor: connections already on their way land first.
      if (handoff) await new Promise((resolve) => setTimeout(resolve, handoff.graceMs));
      await outdated.close();
      retiring.delete(outdated);
    } else {
      retiring.delete(outdated);
      await fresh.close();
    }
    return result;
  }

  /** A new generation that never became ready: the old one keeps serving, or it counts as a crash. */
  function onStartFailed(result: Extract<StartResult, { ok: false }>): void {
    if (result.cause === 'closed') return;
    if (result.cause === 'spawn') return; // the exit event carries the reason and reports it
    emit({ type: 'start-failed', reason: result.reason });
    if (result.oldServing) {
      logger.error(`the new version failed to start: ${result.reason}. The previous version keeps serving; waiting for changes`);
      return;
    }
    const exit = result.exit ?? { pid: 0, code: null, signal: null, uptimeMs: 0, requested: false, beforeReady: true };
    logger.error(`the app failed to start: ${result.reason}`);
    applyCrashPolicy({ ...exit, code: exit.code ?? 1 });
  }

  async function reportBuildFailure(result: Extract<BuildResult, { type: 'build-failed' }>): Promise<void> {
    const took = formatDuration(result.durationMs);
    const { supervisor } = stages;
    if (stages.config.run.stopOnError && (supervisor.state === 'running' || supervisor.state === 'backoff')) {
      logger.error(`build failed in ${took}, stopping the app (stop_on_error), waiting for changes`);
      logger.block(result.diagnostics);
      await supervisor.stop();
      proxy?.fail(`the build failed:\n\n${stripAnsi(result.diagnostics)}`);
      return;
    }
    const keeping = supervisor.state === 'running' ? 'keeping the previous process running' : 'waiting for changes';
    logger.error(`build failed in ${took}, ${keeping}`);
    logger.block(result.diagnostics);
    if (supervisor.state !== 'running') proxy?.fail(`the build failed:\n\n${stripAnsi(result.diagnostics)}`);
  }

  /**
   * Swaps in the re-read config. Stages whose settings changed are replaced; the running program is
   * only replaced at the next start, after a good build. A broken config is reported and ignored.
   */
  async function applyNewConfig(): Promise<boolean> {
    if (!options.reloadConfig) return false;
    const previous = stages;
    let next: Stages;
    try {
      const config = options.reloadConfig();
      const same = (pick: (c: ResolvedConfig) => unknown): boolean => JSON.stringify(pick(previous.config)) === JSON.stringify(pick(config));
      // A save that changed nothing (or a second event for one save) is not a reason to restart.
      if (same((c) => c)) {
        logger.debug('config saved without a change in its settings');
        return false;
      }
      next = createStages(config, {
        ...(same((c) => c.watch) ? { filter: previous.filter, watcher: previous.watcher } : {}),
        ...(same((c) => c.build) ? { builder: previous.builder } : {}),
        ...(same((c) => c.watch.delayMs) ? { batcher: previous.batcher } : {}),
        supervisor: previous.supervisor,
      });
      runOutdated ||= !same((c) => c.run);
      if (!same((c) => c.serve)) logger.warn('[serve] changes take effect when hot is started again');
    } catch (error) {
      if (!isHotError(error)) throw error;
      emit({ type: 'config-error', message: error.message });
      logger.error(error.message, error.hint ? { hint: error.hint } : undefined);
      logger.warn('config not applied: still running with the previous one');
      return false;
    }
    stages = next;
    emit({ type: 'config-reloaded' });
    const retired: Promise<unknown>[] = [];
    if (next.batcher !== previous.batcher) {
      for (const file of previous.batcher.takePending()) next.batcher.add(file);
      previous.batcher.close();
    }
    if (next.builder !== previous.builder) retired.push(previous.builder.close());
    if (next.watcher !== previous.watcher) {
      // The new watcher is up before the old one goes, so no save falls between them.
      await next.watcher.ready;
      retired.push(previous.watcher.close());
    }
    await Promise.allSettled(retired);
    return true;
  }

  function onSupervisorEvent(event: SupervisorEvent): void {
    switch (event.type) {
      case 'spawned':
        loopGuard.programStarted();
        emit({ type: 'spawn', pid: event.pid });
        logger.debug(`spawned pid ${event.pid} (restart #${event.restartCount})`);
        return;
      case 'force-killed':
        logger.warn(`app (pid ${event.pid}) did not stop within ${formatDuration(event.afterMs)} of ${stages.config.run.killSignal}: killed it with SIGKILL`);
        return;
      case 'stuck':
        logger.error(`app (pid ${event.pid}) is still not gone after SIGKILL (stuck in the kernel?): going on without it`);
        return;
      case 'exited':
        onProgramExit(event.exit);
        return;
    }
  }

  function onProgramExit(exit: ChildExit): void {
    if (!exit.spawnError) emit({ type: 'exit', pid: exit.pid, code: exit.code, signal: exit.signal, requested: exit.requested });
    if (exit.requested) {
      logger.debug(`app (pid ${exit.pid}) stopped: ${describeExitStatus(exit.code, exit.signal)}`);
      return;
    }
    if (closed) return;
    if (exit.spawnError) {
      const hint = isHotError(exit.spawnError) ? exit.spawnError.hint : undefined;
      if (stages.supervisor.state === 'running') {
        logger.error(`${exit.spawnError.message}; the previous version keeps serving, waiting for changes`, hint ? { hint } : undefined);
        return;
      }
      logger.error(`${exit.spawnError.message}, waiting for changes`, hint ? { hint } : undefined);
      proxy?.fail(exit.spawnError.message);
      stages.supervisor.trip();
      return;
    }
    // A generation that died before it was ready is reported by the start that waited for it.
    if (exit.beforeReady) return;
    proxy?.pause();
    applyCrashPolicy(exit);
  }

  function applyCrashPolicy(exit: ChildExit): void {
    const { supervisor } = stages;
    const { decision, crashTimes: kept } = decideAfterExit(exit, crashTimes, Date.now(), stages.config.restart);
    const { onCrash } = stages.config.hooks;
    if (onCrash && decision.action !== 'wait') {
      const values = { HOT_EXIT_CODE: exit.code === null ? '' : String(exit.code), HOT_SIGNAL: exit.signal ?? '', HOT_PID: String(exit.pid) };
      void runNamedHook('on_crash', onCrash, values).then((outcome) => {
        if (outcome && !outcome.ok) logger.warn(`hooks.on_crash (${describeCommand(onCrash)}) ${describeHookFailure(outcome, HOOK_TIMEOUT_MS)}`);
      });
    }
    crashTimes = kept;
    const status = describeExitStatus(exit.code, exit.signal);
    const notFound = exit.code === 127 ? { hint: 'exit code 127 means the shell could not find the command' } : undefined;
    switch (decision.action) {
      case 'wait':
        logger.info('app exited cleanly, waiting for changes');
        proxy?.fail('the app exited (code 0) and hot is waiting for a change to start it again');
        return;
      case 'restart':
        emit({ type: 'crash', pid: exit.pid, code: exit.code, signal: exit.signal, attempt: decision.attempt, maxRestarts: decision.maxRestarts, delayMs: decision.delayMs });
        logger.warn(`app ${status}, restarting in ${formatDuration(decision.delayMs)} (${decision.attempt}/${decision.maxRestarts})`, notFound);
        supervisor.enterBackoff(decision.delayMs, () => request('retry'));
        return;
      case 'trip':
        emit({ type: 'circuit-open', crashes: decision.crashes, windowMs: decision.windowMs });
        logger.error(`app ${status}: it crashed ${decision.crashes} times in ${formatDuration(decision.windowMs)}, waiting for changes`, notFound);
        proxy?.fail(`the app crashed ${decision.crashes} times in ${formatDuration(decision.windowMs)} (it ${status}); see the terminal for its output`);
        supervisor.trip();
        return;
    }
  }

  /** The entry file for hot's own esbuild bundle (its cache path means nothing to the user), else the command. */
  function programLabel(): string {
    const { build, run } = stages.config;
    if (!run.command) return 'nothing';
    if (build.kind === 'esbuild' && run.command.kind === 'argv' && run.command.argv.includes(build.outfile)) return relativeTo(build.entry, cwd);
    return describeCommand(run.command);
  }

  function describeTrigger(type: TriggerType, paths: string[], reason: string | null): string {
    switch (type) {
      case 'changes':
        return reason ?? `${formatPaths(paths, cwd)} changed`;
      case 'config-changed':
        return `${relativeTo(paths.find((file) => isConfigFile(file)) ?? stages.config.configFile ?? '', cwd)} changed`;
      case 'manual':
        return reason ?? 'restart requested';
      case 'start':
      case 'retry':
        return type;
    }
  }

  function describeStatus(): string {
    const { supervisor, config } = stages;
    if (phase !== 'idle') return phase;
    if (lastOutcome === 'build-failed') return supervisor.state === 'running' ? 'build failed, previous version running' : 'build failed';
    if (config.run.command === null) return lastOutcome === 'built' ? 'built' : 'waiting';
    switch (supervisor.state) {
      case 'running':
        return 'running';
      case 'backoff':
        return 'crashed, restarting';
      case 'tripped':
        return 'crashed, waiting for changes';
      default:
        return supervisor.state;
    }
  }

  const firstCycleDone = new Promise<void>((resolve) => {
    firstCycle = resolve;
  });
  const initialWatcher = stages.watcher;
  const watching = initialWatcher.ready.then(() => {
    // A watcher replaced meanwhile (out of inotify watches) reports itself when it is ready.
    if (closed || stages.watcher !== initialWatcher || options.announceWatching === false) return;
    const { builder, config } = stages;
    const polling = config.watch.poll || pollingForced ? `, polling every ${POLL_INTERVAL_MS} ms` : '';
    emit({ type: 'watching', files: initialWatcher.watchedFileCount(), polling: polling !== '' });
    logger.info(`watching ${relativeTo(config.watch.root, cwd)} (${initialWatcher.watchedFileCount()} files${polling}; build: ${builder.description})`);
  });
  let publicUrl: string | null = null;
  const ready = (async () => {
    // Listeners attached right after startHot() returns hear the first cycle's events too.
    await Promise.resolve();
    if (proxy && serve.strategy === 'proxy') publicPort = await proxy.listen();
    if (serve.strategy === 'socket') {
      sharedSocket = await openSharedSocket(serve.host, serve.port);
      publicPort = sharedSocket.port;
    }
    if (serve.strategy !== 'restart') publicUrl = `http://${serve.host.includes(':') ? `[${serve.host}]` : serve.host}:${publicPort}`;
    void request('start');
    await Promise.all([watching, firstCycleDone]);
  })();

  return {
    ready,
    async restart(reason) {
      await request('manual', [], reason);
    },
    async build(reason) {
      await request('changes', [], reason);
    },
    async reloadConfig(changedFile) {
      await request('config-changed', [changedFile]);
    },
    pause() {
      paused = true;
    },
    resume() {
      if (!paused) return;
      paused = false;
      const missed = pausedPaths;
      pausedPaths = [];
      if (missed.length > 0) onBatch({ paths: missed });
    },
    rebuild(paths, reason) {
      return request('changes', paths, reason, false);
    },
    isBuildInput(absolutePath) {
      return stages.builder.isInput(absolutePath);
    },
    status() {
      return describeStatus();
    },
    on(type: string, listener: (event: never) => void) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      const set = listeners.get(type)!;
      const wrapped = listener as (event: HotEvent) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        const left = pending;
        pending = null;
        for (const resolve of left?.done ?? []) resolve('skipped');
        // A config reload assigns `stages` before it awaits anything, so these are the current ones.
        const { batcher, supervisor, builder, watcher } = stages;
        batcher.close();
        const results = await Promise.allSettled([supervisor.close(), ...[...retiring].map((old) => old.close()), builder.close(), watcher.close()]);
        // The public port goes last: until the program is gone, clients still get answers.
        results.push(...(await Promise.allSettled([proxy?.close()])));
        sharedSocket?.close();
        if (!options.watchdog) watchdog.close();
        emit({ type: 'stopped' });
        for (const result of results) {
          if (result.status === 'rejected') logger.debug(`while closing: ${String(result.reason)}`);
        }
      })();
      return closing;
    },
    kill() {
      stages.supervisor.kill();
      for (const supervisor of retiring) supervisor.kill();
      stages.builder.kill();
    },
  };
}

/** Program code, as opposed to the data and logs a program writes. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|py|rb|go|rs|php|java|kt|cs|swift|ex|exs|sh)$/;

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    // Deleted since the event: a deletion is never the build's own output here.
    return undefined;
  }
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
