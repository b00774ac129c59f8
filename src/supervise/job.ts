import type { ResolvedRun } from '../config/schema.js';
import type { ChildExit, GenerationLaunch, Handoff, JobControl, JobEvent, JobState, StartFailure } from '../events.js';
import { spawnChild, type ChildHandle, type ChildStatus, type SpawnChild } from './child.js';
import { buildChildEnv, changedPathsVariables } from './env.js';
import { settlesWithin } from './settle.js';

/** How long to wait for an exit after SIGKILL before reporting the process as stuck. */
const EXIT_WAIT_MS = 10_000;

export interface JobOptions {
  run: ResolvedRun;
  onEvent(event: JobEvent): void;
  spawn?: SpawnChild;
  /** Proxy or socket: the next generation starts beside the current one. Without it: stop, then start. */
  handoff?: Handoff | null;
}

export interface Job {
  readonly state: JobState;
  /** The serving generation's pid. */
  readonly pid: number | null;
  send(control: JobControl): void;
  /** Binds the handoff's public port; resolves with its URL (null without a handoff). */
  open(): Promise<string | null>;
  /** Stops every generation through its kill path, then the handoff; resolves when all are gone. Idempotent. */
  close(): Promise<void>;
}

interface Generation {
  id: number;
  child: ChildHandle;
  /** The settings it was started with: it stops with its own kill signal and timeout. */
  run: ResolvedRun;
  /** True once hot asked it to stop: its exit is not a crash. */
  stopRequested: boolean;
  ready: boolean;
}

/**
 * The only owner of a program's generations and of the handoff. Controls are carried out one after
 * the other; what happens is reported as JobEvents. The policy (when to restart, how long to back
 * off) is the pipeline's.
 */
export function createJob(options: JobOptions): Job {
  const spawn = options.spawn ?? spawnChild;
  const handoff = options.handoff ?? null;
  const emit = options.onEvent;
  let run = options.run;
  let state: JobState = 'idle';
  let current: Generation | null = null;
  let backoffTimer: NodeJS.Timeout | undefined;
  let spawns = 0;
  let generations = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** Controls run in order: a start waits for the stop before it. */
  let queue: Promise<void> = Promise.resolve();
  /** Every generation not yet gone: serving, starting, draining, or being cleaned up. */
  const alive = new Set<Generation>();
  const stopping = new Set<Promise<unknown>>();

  const clearBackoff = (): void => {
    clearTimeout(backoffTimer);
    backoffTimer = undefined;
  };

  /** The kill path for one generation, tracked so close() waits for it and kill cuts it short. */
  const stopGeneration = (generation: Generation, timeoutMs: number): Promise<void> => {
    generation.stopRequested = true;
    const done = (async () => {
      const { forced } = await generation.child.stop(generation.run.killSignal, timeoutMs);
      if (forced) emit({ type: 'force-killed', pid: generation.child.pid, afterMs: timeoutMs, signal: generation.run.killSignal });
      // stop() waits for the exit itself; this bound only matters for a process stuck in the kernel.
      if (!(await settlesWithin(generation.child.exited, EXIT_WAIT_MS))) emit({ type: 'stuck', pid: generation.child.pid });
    })();
    stopping.add(done);
    void done.finally(() => {
      stopping.delete(done);
      alive.delete(generation);
    });
    return done;
  };

  const onExit = (generation: Generation, status: ChildStatus): void => {
    handoff?.retired(generation.id);
    if (status.spawnError) return; // the start reports it
    const exit: ChildExit = {
      pid: generation.child.pid,
      code: status.code,
      signal: status.signal,
      uptimeMs: Date.now() - generation.child.startedAt,
      requested: generation.stopRequested,
      beforeReady: !generation.ready,
    };
    if (current === generation && !exit.requested) {
      current = null;
      if (state === 'running') state = 'idle';
      handoff?.vacate();
    }
    // Whatever the program left behind in its group goes with it.
    if (!generation.stopRequested) void stopGeneration(generation, generation.run.killTimeoutMs);
    emit({ type: 'exited', exit });
  };

  const spawnGeneration = async (changedPaths: readonly string[], ready: boolean): Promise<Generation> => {
    if (!run.command) throw new Error('internal: a build-only package has no program to start');
    const using = run;
    const id = ++generations;
    const launch: GenerationLaunch = handoff ? await handoff.prepare(id) : { env: {} };
    const env = buildChildEnv({
      envFiles: using.envFiles,
      env: using.env,
      hot: { HOT: '1', HOT_RESTART_COUNT: String(spawns), HOT_GENERATION: String(id), ...changedPathsVariables(changedPaths), ...launch.env },
      onMissing: (file, reason) => emit({ type: 'env-file-problem', file, reason }),
    });
    // Added to NODE_OPTIONS as this start sees it (env files and [run] env are read at every start).
    if (launch.preload) env.NODE_OPTIONS = [env.NODE_OPTIONS, `--import=${JSON.stringify(launch.preload)}`].filter(Boolean).join(' ');
    const command = launch.wrapCommand ? launch.wrapCommand(using.command!) : using.command!;
    const child = spawn({
      command,
      cwd: using.cwd,
      env,
      ...(launch.extraFds ? { extraFds: launch.extraFds } : {}),
      ...(launch.stdio ? { stdio: launch.stdio } : {}),
    });
    const generation: Generation = { id, child, run: using, stopRequested: false, ready };
    alive.add(generation);
    void child.exited.then((status) => onExit(generation, status));
    if (child.pid !== 0) {
      emit({ type: 'spawned', pid: child.pid, restartCount: spawns });
      spawns++;
    }
    return generation;
  };

  const failStart = async (generation: Generation | null, failure: StartFailure, exit: ChildExit | null): Promise<void> => {
    state = current ? 'running' : 'idle';
    emit({ type: 'start-failed', pid: generation?.child.pid ?? 0, failure, oldServing: current !== null, exit });
  };

  const spawnFailure = async (generation: Generation): Promise<boolean> => {
    if (generation.child.pid !== 0) return false;
    alive.delete(generation);
    const status = await generation.child.exited;
    await failStart(generation, { cause: 'spawn', error: status.spawnError ?? new Error('the command could not be started') }, null);
    return true;
  };

  /** Stop, then start: the plain restart. */
  const restartInPlace = async (changedPaths: readonly string[]): Promise<void> => {
    if (current) {
      state = 'stopping';
      const old = current;
      await stopGeneration(old, old.run.killTimeoutMs);
      if (current === old) current = null;
    }
    if (closed) return;
    state = 'starting';
    const generation = await spawnGeneration(changedPaths, true);
    if (await spawnFailure(generation)) return;
    current = generation;
    state = 'running';
    emit({ type: 'ready', pid: generation.child.pid });
  };

  /** Start the next generation beside the current one; switch only once it is ready. */
  const restartBlueGreen = async (changedPaths: readonly string[], using: Handoff): Promise<void> => {
    state = 'starting';
    const next = await spawnGeneration(changedPaths, false);
    if (await spawnFailure(next)) return;
    const outcome = await waitUntilReady(next, using);
    if (outcome !== 'ready' || closed) {
      if (outcome !== 'exited') await stopGeneration(next, next.run.killTimeoutMs);
      if (closed) return;
      const status = await next.child.exited;
      const exit: ChildExit = { pid: next.child.pid, code: status.code, signal: status.signal, uptimeMs: Date.now() - next.child.startedAt, requested: outcome !== 'exited', beforeReady: true };
      const failure: StartFailure = outcome === 'exited' ? { cause: 'exited', code: status.code, signal: status.signal } : { cause: 'timeout', timeoutMs: using.readyTimeoutMs };
      return failStart(next, failure, outcome === 'exited' ? exit : { ...exit, code: null, signal: null });
    }
    next.ready = true;
    const previous = current;
    current = next;
    state = 'running';
    using.activate(next.id);
    if (previous) retire(previous, using);
    emit({ type: 'ready', pid: next.child.pid });
  };

  const waitUntilReady = async (next: Generation, using: Handoff): Promise<'ready' | 'aborted' | 'exited' | 'timeout'> => {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      using.waitReady(next.id, next.child, abort.signal).then(
        () => 'ready' as const,
        () => 'aborted' as const,
      ),
      next.child.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), using.readyTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    abort.abort();
    return outcome;
  };

  /** Requests already on their way to the old generation land before it is told to stop. */
  const retire = (previous: Generation, using: Handoff): void => {
    previous.stopRequested = true;
    const done = (async () => {
      await new Promise((resolve) => setTimeout(resolve, using.graceMs));
      await stopGeneration(previous, using.drainTimeoutMs);
    })();
    stopping.add(done);
    void done.finally(() => stopping.delete(done));
  };

  const stop = async (): Promise<void> => {
    const generation = current;
    if (generation) {
      state = 'stopping';
      await stopGeneration(generation, generation.run.killTimeoutMs);
      if (current === generation) current = null;
    }
    state = 'idle';
    handoff?.vacate();
    emit({ type: 'stopped' });
  };

  const kill = (): void => {
    clearBackoff();
    for (const generation of alive) {
      generation.stopRequested = true;
      generation.child.kill();
    }
  };

  /** Runs a control after the ones before it; an internal error keeps its stack for the report. */
  const enqueue = (work: () => Promise<void>): void => {
    queue = queue.then(work).catch((error: unknown) => {
      process.emitWarning(`hot internal error in the job: ${(error as Error).stack ?? String(error)}`);
    });
  };

  const send = (control: JobControl): void => {
    if (closed && control.type !== 'kill') return;
    switch (control.type) {
      case 'start':
        clearBackoff();
        state = 'starting';
        return enqueue(() => (closed ? Promise.resolve() : handoff ? restartBlueGreen(control.changedPaths, handoff) : restartInPlace(control.changedPaths)));
      case 'stop':
        clearBackoff();
        return enqueue(stop);
      case 'kill':
        return kill();
      case 'backoff':
        clearBackoff();
        state = 'backoff';
        backoffTimer = setTimeout(() => {
          backoffTimer = undefined;
          emit({ type: 'backoff-due' });
        }, control.delayMs);
        return;
      case 'trip':
        clearBackoff();
        state = 'tripped';
        return;
      case 'reconfigure':
        run = control.run;
        return;
      case 'unavailable':
        handoff?.unavailable(control.reason);
        return;
    }
  };

  return {
    get state() {
      return state;
    },
    get pid() {
      return current && current.child.pid !== 0 ? current.child.pid : null;
    },
    send,
    async open() {
      return handoff ? handoff.open() : null;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearBackoff();
        const stopAll = (): void => {
          for (const generation of alive) if (!generation.stopRequested) void stopGeneration(generation, generation.run.killTimeoutMs);
        };
        // A generation still starting is stopped too, which ends the wait for its readiness.
        stopAll();
        await queue;
        stopAll();
        await Promise.allSettled([...stopping]);
        current = null;
        state = 'idle';
        // The public port goes last: until the program is gone, clients still get answers.
        await handoff?.close();
      })();
      return closing;
    },
  };
}
