import { describeCommand } from '../config/command-line.js';
import { DEFAULT_ON_EXIT_TIMEOUT_MS, type ResolvedConfig } from '../config/schema.js';
import { createLoopGuard } from '../build/loop-guard.js';
import type { CycleOutcome, CycleReport, FileChange, Handoff, HotEvent, PipelineInput } from '../events.js';
import type { SpawnChild } from '../supervise/child.js';
import { createJob, type Job } from '../supervise/job.js';
import { createOpenFileIndex } from '../supervise/open-files.js';
import { relativeTo } from '../ui/format.js';
import type { Logger } from '../ui/logger.js';
import { stripAnsi } from '../ui/report.js';
import { createMoveTracker } from '../watch/move-tracker.js';
import type { Router } from '../watch/router.js';
import { createSideHooks, runBuildStep, type BuildStep } from './cycle.js';
import { createHookRunner, describeHookFailure, type HookRunner } from './hooks.js';
import { decide, type Effect } from './policy.js';
import { pageAnnouncer } from './pages.js';
import { createStages, lookAt, SOURCE_FILE, type Stages } from './stages.js';
import { describeStatus, initialState, type Cycle, type PipelineState } from './state.js';

/** The latest the type check starts after the first start when the program has not listened yet. */
const CHECKER_LATEST_MS = 3000;

export interface PipelineOptions {
  config: ResolvedConfig;
  /** Where paths are shown relative to. */
  cwd: string;
  /** For the stages' own lines (watcher, builder). */
  logger: Logger;
  router: Router;
  spawn: SpawnChild;
  /** Proxy or socket for [serve]; null for plain restarts. */
  handoff: Handoff | null;
  /** Re-reads the config file; throws a ConfigError when the new one is invalid. */
  reloadConfig: (() => ResolvedConfig) | null;
  color: boolean;
}

/** Inputs a caller may send and wait for: the promise resolves when their cycle is over. */
export type Request = Extract<PipelineInput, { type: 'changes' | 'manual' | 'upstream' | 'config-changed' }>;

export interface Pipeline {
  send(input: PipelineInput): void;
  request(input: Request): Promise<CycleOutcome>;
  /** Binds the public port ([serve]) and starts the first cycle; its "ready in" counts from `launchedAt` when given (ms since the epoch). */
  start(launchedAt?: number): Promise<void>;
  /** Resolves when the first cycle is over (or the pipeline closed before). */
  readonly firstCycle: Promise<void>;
  /** Every HotEvent of this pipeline; returns a function that stops it. */
  on(listener: (event: HotEvent) => void): () => void;
  /** Told how each cycle ended (a monorepo passes changes on from there). */
  onCycle(listener: (report: CycleReport) => void): () => void;
  /** Says what is watched (after the first walk, and after a switch to polling). */
  announceWatching(): void;
  status(): string;
  /** True when the last build read this file (after a failed build, only files under the package's own root count). */
  isBuildInput(absolutePath: string): boolean;
  /** The files the last good build read (absolute); empty where the builder does not say. */
  buildInputs(): readonly string[];
  close(): Promise<void>;
  kill(): void;
}

/**
 * One pipeline per app or package: a typed input queue, a state only `decide` changes, and the
 * runner of decide's effects. Effects that take time answer with inputs of their own.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  return new AppPipeline(options);
}

class AppPipeline implements Pipeline {
  readonly #options: PipelineOptions;
  #state: PipelineState;
  readonly #queue: PipelineInput[] = [];
  #draining = false;
  #stopped = false;
  #nextWaiter = 1;
  readonly #waiters = new Map<number, (outcome: CycleOutcome) => void>();
  readonly #listeners = new Set<(event: HotEvent) => void>();
  readonly #cycleListeners = new Set<(report: CycleReport) => void>();
  readonly #loopGuard = createLoopGuard();
  readonly #moveTracker = createMoveTracker();
  /** Files found open for writing by the program: reported once each. */
  readonly #programWrites = new Set<string>();
  readonly #openFiles = createOpenFileIndex();
  readonly #hooks: HookRunner;
  readonly #job: Job;
  readonly #stages: Stages;
  readonly #step: BuildStep;
  readonly #sideHooks: ReturnType<typeof createSideHooks>;
  #settleFirstCycle: () => void = () => {};
  readonly firstCycle: Promise<void>;
  #closing: Promise<void> | undefined;
  /** hooks.on_exit, run by close() once the program has stopped; kill() stops it. */
  #exitHook: HookRunner | null = null;
  #killed = false;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#state = initialState(options.config, options.cwd);
    this.firstCycle = new Promise<void>((resolve) => (this.#settleFirstCycle = resolve));
    this.#hooks = createHookRunner({ spawn: options.spawn, killTimeoutMs: () => this.#stages.config.run.killTimeoutMs });
    this.#job = createJob({
      run: options.config.run,
      spawn: options.spawn,
      handoff: options.handoff,
      onEvent: (event) => {
        if (event.type === 'spawned') this.#loopGuard.programStarted();
        if (event.type === 'internal-error') this.#internal(event.error);
        this.send({ type: 'job', event });
      },
    });
    this.#stages = createStages({
      config: options.config,
      router: options.router,
      spawn: options.spawn,
      logger: options.logger,
      color: options.color,
      cwd: options.cwd,
      accept: (change, stages) => this.#accept(change, stages),
      wants: (file, stages) =>
        this.#state.phase.kind !== 'closed' && !this.#programWrites.has(file) && (stages.filter.isIncluded(file) || stages.builder.isInput(file)),
      onBatch: (batch) => this.send({ type: 'changes', paths: batch.paths }),
      onPending: (pending) => this.send({ type: 'incoming', pending }),
      onTypeEvent: (event) => this.#emit(event),
    });
    this.#step = {
      config: () => this.#stages.config,
      builder: () => this.#stages.builder,
      checker: () => this.#stages.checker,
      cwd: options.cwd,
      hooks: this.#hooks,
      loopGuard: this.#loopGuard,
      isClosed: () => this.#state.phase.kind === 'closed',
      emit: (event) => this.#emit(event),
    };
    this.#sideHooks = createSideHooks(this.#step, (error) => this.#internal(error));
    if (options.handoff) this.#listeners.add(pageAnnouncer(options.handoff, options.cwd));
  }

  send(input: PipelineInput): void {
    this.#queue.push(input);
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const decision = decide(this.#state, this.#queue.shift()!, Date.now());
        this.#state = decision.state;
        for (const effect of decision.effects) this.#run(effect);
      }
    } finally {
      this.#draining = false;
    }
  }

  request(input: Request): Promise<CycleOutcome> {
    const id = this.#nextWaiter++;
    const done = new Promise<CycleOutcome>((resolve) => this.#waiters.set(id, resolve));
    this.send({ ...input, waiter: id });
    return done;
  }

  async start(launchedAt?: number): Promise<void> {
    const publicUrl = await this.#job.open();
    // "block" needs tsc's verdict for the first start; otherwise tsc waits until the program is up.
    if (this.#stages.config.check.types === 'block') this.#stages.startChecker();
    else void this.firstCycle.then(() => this.#programUp()).then(() => this.#state.phase.kind !== 'closed' && this.#stages.startChecker());
    this.send({ type: 'start', publicUrl, ...(launchedAt === undefined ? {} : { launchedAt }) });
  }

  /**
   * Resolves once the first program listens, when it is known to be about to (held sockets), or
   * after CHECKER_LATEST_MS: tsc takes a core for seconds, and a NestJS app booting beside it
   * answered ~220 ms later. A program that never listens, or a failed start, does not wait.
   */
  #programUp(): Promise<void> {
    if (!this.#state.listenPending) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, CHECKER_LATEST_MS);
      timer.unref();
      const stop = this.on((event) => {
        if (event.type === 'listening' || event.type === 'exit' || event.type === 'stopped' || event.type === 'start-failed') done();
      });
    });
  }

  on(listener: (event: HotEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onCycle(listener: (report: CycleReport) => void): () => void {
    this.#cycleListeners.add(listener);
    return () => this.#cycleListeners.delete(listener);
  }

  announceWatching(): void {
    if (this.#state.phase.kind === 'closed') return;
    const { router } = this.#options;
    this.#emit({ type: 'watching', files: router.watchedFileCount(), polling: router.polling, root: this.#stages.config.watch.root, build: this.#stages.builder.description });
  }

  status(): string {
    return describeStatus(this.#state);
  }

  buildInputs(): readonly string[] {
    return this.#stages.builder.inputFiles?.() ?? [];
  }

  isBuildInput(file: string): boolean {
    if (!this.#stages.builder.isInput(file)) return false;
    // After a failed build any source file may be the fix, but only the package's own files count as such.
    return this.#state.lastOutcome !== 'build-failed' || file.startsWith(this.#stages.config.watch.root);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.send({ type: 'close' });
      this.#settleFirstCycle();
      const results = await Promise.allSettled([this.#stages.close(), this.#hooks.close(), this.#job.close()]);
      await this.#runExitHook().catch((error: unknown) => this.#options.logger.debug(`on_exit: ${String(error)}`));
      this.#emit({ type: 'stopped' });
      for (const result of results) if (result.status === 'rejected') this.#options.logger.debug(`while closing: ${String(result.reason)}`);
    })();
    return this.#closing;
  }

  kill(): void {
    this.#killed = true;
    this.#exitHook?.kill();
    this.#job.send({ type: 'kill' });
    this.#hooks.kill();
    this.#stages.builder.kill();
    this.#stages.checker.kill();
  }

  /** air's post_cmd: after the program stopped, with the program's environment; a second Ctrl-C (kill) ends it. */
  async #runExitHook(): Promise<void> {
    const { hooks, run, watch } = this.#stages.config;
    if (!hooks.onExit || this.#killed) return;
    this.#exitHook = createHookRunner({ spawn: this.#options.spawn, killTimeoutMs: () => run.killTimeoutMs, timeoutMs: DEFAULT_ON_EXIT_TIMEOUT_MS });
    const outcome = await this.#exitHook.run('on_exit', hooks.onExit, watch.root, { ...process.env, ...run.env });
    if (outcome && !outcome.ok) {
      this.#emit({ type: 'hook-failed', hook: 'on_exit', command: describeCommand(hooks.onExit), failure: describeHookFailure(outcome, DEFAULT_ON_EXIT_TIMEOUT_MS) });
    }
  }

  #emit(event: HotEvent): void {
    // Nothing is reported after 'stopped': a hook or build finishing during close() stays silent.
    if (this.#stopped) return;
    if (event.type === 'stopped') this.#stopped = true;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.logger.error(`an event listener threw: ${(error as Error).stack ?? String(error)}`);
      }
    }
  }

  /** Per change, before batching: is it this app's, and not the program's own writing or half of a move? */
  #accept(change: FileChange, stages: Stages): boolean {
    if (this.#state.phase.kind === 'closed') return false;
    const { cwd, logger } = this.#options;
    const relevant = stages.filter.isIncluded(change.path) || stages.builder.isInput(change.path);
    logger.debug(`${change.kind} ${relativeTo(change.path, cwd)}${relevant ? '' : ' (not watched by include, ignored)'}`);
    if (!relevant) return false;
    const file = lookAt(change.path);
    if (file.special || this.#isWrittenByProgram(change.path, stages)) return false;
    if (this.#moveTracker.isTailOfMove(change)) {
      logger.debug(`${relativeTo(change.path, cwd)} moved (its new path was already seen)`);
      return false;
    }
    this.#loopGuard.noteChange(change.path, file.modifiedAtMs, SOURCE_FILE.test(change.path) || stages.builder.isInput(change.path));
    return true;
  }

  /** A data file the running program holds open for writing changes because of the program itself. */
  #isWrittenByProgram(file: string, stages: Stages): boolean {
    const pid = this.#job.pid;
    if (pid === null || SOURCE_FILE.test(file) || stages.builder.isInput(file)) return false;
    if (file === stages.config.configFile || file === stages.config.baseConfigFile) return false;
    if (!this.#openFiles.isOpenForWritingByGroup(pid, file)) return false;
    if (!this.#programWrites.has(file)) {
      this.#programWrites.add(file);
      this.#emit({ type: 'written-by-program', path: file });
    }
    return true;
  }

  /** What only the runner knows: which build runs; diagnostics without colour for every subscriber. */
  #withDetails(event: HotEvent): HotEvent {
    if (event.type === 'build-start') return { ...event, build: this.#stages.builder.description };
    if (event.type === 'build-failed') return { ...event, diagnostics: stripAnsi(event.diagnostics) };
    return event;
  }

  /** An unexpected error in an effect: reported with its stack, and the pipeline goes on. */
  #internal(error: unknown): void {
    this.#options.logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
  }

  #run(effect: Effect): void {
    switch (effect.type) {
      case 'emit':
        return this.#emit(this.#withDetails(effect.event));
      case 'job':
        return this.#job.send(effect.control);
      case 'reload-config':
        return this.#reloadConfig();
      case 'build':
        void runBuildStep(this.#step, effect.paths, effect.checkLoop).then(
          (outcome) => this.send({ type: 'built', outcome }),
          (error: unknown) => {
            this.#internal(error);
            this.send({ type: 'built', outcome: { type: 'build-failed', durationMs: 0, diagnostics: 'internal error in hot (see above)' } });
          },
        );
        return;
      case 'hook':
        return this.#sideHooks(effect.name, effect.values);
      case 'cycle-done':
        return this.#cycleDone(effect.cycle, effect.outcome);
    }
  }

  #reloadConfig(): void {
    const read = this.#options.reloadConfig;
    void (read ? this.#stages.reload(read) : Promise.resolve({ type: 'unchanged' as const })).then(
      (reload) => this.send({ type: 'config-loaded', reload }),
      (error: unknown) => {
        this.#internal(error);
        this.send({ type: 'config-loaded', reload: { type: 'unchanged' } });
      },
    );
  }

  #cycleDone(cycle: Cycle, outcome: CycleOutcome): void {
    for (const id of cycle.waiters) {
      this.#waiters.get(id)?.(outcome);
      this.#waiters.delete(id);
    }
    if (this.#state.phase.kind !== 'closed') {
      const report: CycleReport = { trigger: cycle.trigger, own: cycle.own, paths: cycle.paths, outcome };
      for (const listener of this.#cycleListeners) listener(report);
    }
    this.#settleFirstCycle();
  }
}
