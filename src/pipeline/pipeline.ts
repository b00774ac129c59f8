import type { ResolvedConfig } from '../config/schema.js';
import { createLoopGuard } from '../build/loop-guard.js';
import type { CycleOutcome, CycleReport, Handoff, HotEvent, PipelineInput } from '../events.js';
import type { SpawnChild } from '../supervise/child.js';
import { createJob } from '../supervise/job.js';
import { isOpenForWritingByGroup } from '../supervise/open-files.js';
import { stripAnsi } from '../ui/report.js';
import { relativeTo } from '../ui/format.js';
import type { Logger } from '../ui/logger.js';
import { createMoveTracker } from '../watch/move-tracker.js';
import type { Router } from '../watch/router.js';
import { runBuildStep, runNamedHook, type BuildStep } from './cycle.js';
import { createHookRunner } from './hooks.js';
import { decide, type Effect } from './policy.js';
import { createStages, modifiedAt, SOURCE_FILE, type Stages } from './stages.js';
import { describeStatus, initialState, type PipelineState } from './state.js';

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
  /** Binds the public port ([serve]) and starts the first cycle. */
  start(): Promise<void>;
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
  close(): Promise<void>;
  kill(): void;
}

/**
 * One pipeline per app or package: a typed input queue, a state only `decide` changes, and the
 * runner of decide's effects. Effects that take time answer with inputs of their own.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { cwd, logger } = options;
  let state: PipelineState = initialState(options.config, cwd);
  const queue: PipelineInput[] = [];
  let draining = false;
  let stopped = false;
  let nextWaiter = 1;
  const waiters = new Map<number, (outcome: CycleOutcome) => void>();
  const listeners = new Set<(event: HotEvent) => void>();
  const cycleListeners = new Set<(report: CycleReport) => void>();
  const loopGuard = createLoopGuard();
  const moveTracker = createMoveTracker();
  const programWrites = new Set<string>();
  const hooks = createHookRunner({ spawn: options.spawn, killTimeoutMs: () => stages.config.run.killTimeoutMs });
  let settleFirstCycle: () => void = () => {};
  const firstCycle = new Promise<void>((resolve) => (settleFirstCycle = resolve));
  const job = createJob({
    run: options.config.run,
    spawn: options.spawn,
    handoff: options.handoff,
    onEvent: (event) => {
      if (event.type === 'spawned') loopGuard.programStarted();
      send({ type: 'job', event });
    },
  });

  // Live reload is one more subscriber of the events: pages hear of builds and of each new version.
  const handoff = options.handoff;
  if (handoff) {
    listeners.add((event) => {
      if (event.type === 'build-ok') handoff.announce({ type: 'build-ok' });
      else if (event.type === 'build-failed') handoff.announce({ type: 'build-error', text: event.diagnostics });
      else if (event.type === 'ready') handoff.announce({ type: 'reload' });
    });
  }

  const emit = (event: HotEvent): void => {
    // Nothing is reported after 'stopped': a hook or build finishing during close() stays silent.
    if (stopped) return;
    if (event.type === 'stopped') stopped = true;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error(`an event listener threw: ${(error as Error).stack ?? String(error)}`);
      }
    }
  };

  /** A data file the running program holds open for writing changes because of the program itself. */
  const isWrittenByProgram = (file: string, current: Stages): boolean => {
    const pid = job.pid;
    if (pid === null || SOURCE_FILE.test(file) || current.builder.isInput(file)) return false;
    if (file === current.config.configFile || file === current.config.baseConfigFile) return false;
    if (!isOpenForWritingByGroup(pid, file)) return false;
    if (!programWrites.has(file)) {
      programWrites.add(file);
      emit({ type: 'written-by-program', path: file });
    }
    return true;
  };

  const stages: Stages = createStages({
    config: options.config,
    router: options.router,
    spawn: options.spawn,
    logger,
    color: options.color,
    cwd,
    accept(change, current) {
      if (state.phase.kind === 'closed') return false;
      const relevant = current.filter.isIncluded(change.path) || current.builder.isInput(change.path);
      logger.debug(`${change.kind} ${relativeTo(change.path, cwd)}${relevant ? '' : ' (not watched by include, ignored)'}`);
      if (!relevant || isWrittenByProgram(change.path, current)) return false;
      if (moveTracker.isTailOfMove(change)) {
        logger.debug(`${relativeTo(change.path, cwd)} moved (its new path was already seen)`);
        return false;
      }
      loopGuard.noteChange(change.path, modifiedAt(change.path), SOURCE_FILE.test(change.path) || current.builder.isInput(change.path));
      return true;
    },
    onBatch: (batch) => send({ type: 'changes', paths: batch.paths }),
  });

  const step: BuildStep = {
    config: () => stages.config,
    builder: () => stages.builder,
    hooks,
    loopGuard,
    isClosed: () => state.phase.kind === 'closed',
    emit,
  };

  function send(input: PipelineInput): void {
    queue.push(input);
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0) {
        const decision = decide(state, queue.shift()!, Date.now());
        state = decision.state;
        for (const effect of decision.effects) run(effect);
      }
    } finally {
      draining = false;
    }
  }

  /** An unexpected error in an effect: reported with its stack, and the pipeline goes on. */
  const internal = (error: unknown): void => {
    logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
  };

  /** What only the runner knows: which build runs; diagnostics without colour for every subscriber. */
  function withDetails(event: HotEvent): HotEvent {
    if (event.type === 'build-start') return { ...event, build: stages.builder.description };
    if (event.type === 'build-failed') return { ...event, diagnostics: stripAnsi(event.diagnostics) };
    return event;
  }

  function run(effect: Effect): void {
    switch (effect.type) {
      case 'emit':
        return emit(withDetails(effect.event));
      case 'job':
        return job.send(effect.control);
      case 'reload-config': {
        const read = options.reloadConfig;
        void (read ? stages.reload(read) : Promise.resolve({ type: 'unchanged' as const })).then(
          (reload) => send({ type: 'config-loaded', reload }),
          (error: unknown) => {
            internal(error);
            send({ type: 'config-loaded', reload: { type: 'unchanged' } });
          },
        );
        return;
      }
      case 'build':
        void runBuildStep(step, effect.paths, effect.checkLoop).then(
          (outcome) => send({ type: 'built', outcome }),
          (error: unknown) => {
            internal(error);
            send({ type: 'built', outcome: { type: 'build-failed', durationMs: 0, diagnostics: 'internal error in hot (see above)' } });
          },
        );
        return;
      case 'hook': {
        const command = effect.name === 'on_restart' ? stages.config.hooks.onRestart : stages.config.hooks.onCrash;
        if (command) void runNamedHook(step, effect.name, command, effect.values).catch(internal);
        return;
      }
      case 'cycle-done':
        return cycleDone(effect.cycle, effect.outcome);
    }
  }

  function cycleDone(cycle: { trigger: CycleReport['trigger']; own: boolean; paths: readonly string[]; waiters: readonly number[] }, outcome: CycleOutcome): void {
    for (const id of cycle.waiters) {
      waiters.get(id)?.(outcome);
      waiters.delete(id);
    }
    if (state.phase.kind !== 'closed') {
      const report: CycleReport = { trigger: cycle.trigger, own: cycle.own, paths: cycle.paths, outcome };
      for (const listener of cycleListeners) listener(report);
    }
    settleFirstCycle();
  }

  let closing: Promise<void> | undefined;
  return {
    send,
    request(input) {
      const id = nextWaiter++;
      const done = new Promise<CycleOutcome>((resolve) => waiters.set(id, resolve));
      send({ ...input, waiter: id });
      return done;
    },
    async start() {
      const publicUrl = await job.open();
      send({ type: 'start', publicUrl });
    },
    firstCycle,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCycle(listener) {
      cycleListeners.add(listener);
      return () => cycleListeners.delete(listener);
    },
    announceWatching() {
      if (state.phase.kind === 'closed') return;
      emit({ type: 'watching', files: options.router.watchedFileCount(), polling: options.router.polling, root: stages.config.watch.root, build: stages.builder.description });
    },
    status: () => describeStatus(state),
    isBuildInput(file) {
      if (!stages.builder.isInput(file)) return false;
      // After a failed build any source file may be the fix, but only the package's own files count as such.
      return state.lastOutcome !== 'build-failed' || file.startsWith(stages.config.watch.root);
    },
    close() {
      closing ??= (async () => {
        send({ type: 'close' });
        settleFirstCycle();
        const results = await Promise.allSettled([stages.close(), hooks.close(), job.close()]);
        emit({ type: 'stopped' });
        for (const result of results) if (result.status === 'rejected') logger.debug(`while closing: ${String(result.reason)}`);
      })();
      return closing;
    },
    kill() {
      job.send({ type: 'kill' });
      hooks.kill();
      stages.builder.kill();
    },
  };
}
