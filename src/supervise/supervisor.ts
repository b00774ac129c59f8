import type { Command, ResolvedRun } from '../config/schema.js';
import type { ChildExit, SupervisorEvent } from '../events.js';
import { spawnChild, type ChildHandle, type ChildStatus, type SpawnChild } from './child.js';
import { buildChildEnv, changedPathsVariables } from './env.js';
import { settlesWithin } from './settle.js';

/** How long to wait for an exit after SIGKILL before reporting the process as stuck. */
const EXIT_WAIT_MS = 10_000;

/** idle: nothing running · running · stopping · backoff: waiting to restart after a crash · tripped: too many crashes. */
export type SupervisorState = 'idle' | 'running' | 'stopping' | 'backoff' | 'tripped';

/**
 * Blue-green restarts: the next generation starts while the current one still serves, and replaces
 * it only once ready. The app implements this with the proxy (or the socket handoff).
 */
export interface Handoff {
  readyTimeoutMs: number;
  /** After the switch, how long the old generation may finish in-flight work before the kill path. */
  drainTimeoutMs: number;
  /** After the switch, before the old generation is signalled: for connections already on their way. */
  graceMs: number;
  /** How to launch a new generation: its environment (PORT, …), extra fds, a wrapper for the command. */
  prepare(generation: number): Promise<GenerationLaunch>;
  /** Resolves once the generation can serve; rejects when `signal` aborts. */
  waitReady(generation: number, child: ChildHandle, signal: AbortSignal): Promise<void>;
  /** Sends new connections to the generation. */
  activate(generation: number): void;
  /** The generation has exited (replaced, crashed or stopped). */
  retired(generation: number): void;
}

export interface GenerationLaunch {
  env: Record<string, string>;
  extraFds?: readonly unknown[];
  stdio?: 'inherit' | 'tee';
  wrapCommand?: (command: Command) => Command;
}

export interface SupervisorOptions {
  run: ResolvedRun;
  onEvent(event: SupervisorEvent): void;
  /** Reports an env file that could not be read. */
  onEnvFileProblem?(file: string, reason: string): void;
  spawn?: SpawnChild;
  /** Without it, a restart stops the old program before starting the new one. */
  handoff?: Handoff;
  /** Shared by the supervisors that succeed each other (after a config change), so numbers never repeat. */
  counters?: SupervisorCounters;
}

export interface SupervisorCounters {
  /** Programs started so far (HOT_RESTART_COUNT of the next one). */
  spawns: number;
  /** Generations created so far (HOT_GENERATION of the next one is this + 1). */
  generations: number;
}

export interface StartOptions {
  changedPaths: readonly string[];
}

export type StartResult =
  | { ok: true; pid: number; readyMs: number }
  | { ok: false; cause: 'spawn' | 'exited' | 'timeout' | 'closed'; reason: string; oldServing: boolean; exit: ChildExit | null };

export interface Supervisor {
  readonly state: SupervisorState;
  readonly pid: number | null;
  /** Starts a fresh program; the old one is stopped first, or (with a handoff) once the new one is ready. */
  start(options: StartOptions): Promise<StartResult>;
  /** Stops the running program, if any. */
  stop(): Promise<void>;
  /** Waits `delayMs`, then calls `onDue`; a start or stop in between cancels it. */
  enterBackoff(delayMs: number, onDue: () => void): void;
  /** Too many crashes: no restart until `start` is called again. */
  trip(): void;
  /** SIGKILL to every process group this supervisor started, now. */
  kill(): void;
  close(): Promise<void>;
}

interface Generation {
  id: number;
  child: ChildHandle;
  /** True once hot asked it to stop: its exit is not a crash. */
  stopRequested: boolean;
  ready: boolean;
}

/**
 * Runs the program: start, stop through the kill path, the waiting states, and (with a handoff) the
 * overlap of two generations. The policy (when to restart, how long to back off) is the app's.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const spawn = options.spawn ?? spawnChild;
  const { run, handoff } = options;
  let state: SupervisorState = 'idle';
  let current: Generation | null = null;
  let backoffTimer: NodeJS.Timeout | undefined;
  const counters = options.counters ?? { spawns: 0, generations: 0 };
  let closing: Promise<void> | undefined;
  let closed = false;
  /** Every generation not yet gone: the serving one, one starting, ones draining or being cleaned up. */
  const alive = new Set<Generation>();
  const stopping = new Set<Promise<unknown>>();

  const clearBackoff = (): void => {
    if (backoffTimer) clearTimeout(backoffTimer);
    backoffTimer = undefined;
  };

  /** The kill path for one generation, tracked so close() waits for it and kill() can cut it short. */
  const stopGeneration = (generation: Generation, timeoutMs: number): Promise<void> => {
    generation.stopRequested = true;
    const done = (async () => {
      const { forced } = await generation.child.stop(run.killSignal, timeoutMs);
      if (forced) options.onEvent({ type: 'force-killed', pid: generation.child.pid, afterMs: timeoutMs });
      // stop() waits for the exit itself; this bound only matters for a process stuck in the kernel.
      if (!(await settlesWithin(generation.child.exited, EXIT_WAIT_MS))) options.onEvent({ type: 'stuck', pid: generation.child.pid });
    })();
    stopping.add(done);
    void done.finally(() => {
      stopping.delete(done);
      alive.delete(generation);
    });
    return done;
  };

  const stopCurrent = async (): Promise<void> => {
    const generation = current;
    if (!generation) return;
    state = 'stopping';
    await stopGeneration(generation, run.killTimeoutMs);
    if (current === generation) current = null;
  };

  const onExit = (generation: Generation, status: ChildStatus): void => {
    if (handoff) handoff.retired(generation.id);
    const exit: ChildExit = {
      pid: generation.child.pid,
      code: status.code,
      signal: status.signal,
      uptimeMs: Date.now() - generation.child.startedAt,
      requested: generation.stopRequested,
      beforeReady: !generation.ready,
      ...(status.spawnError ? { spawnError: status.spawnError } : {}),
    };
    if (current === generation && !exit.requested) {
      current = null;
      state = 'idle';
    }
    // Whatever the program left behind in its group goes with it (and it leaves `alive` once that is done).
    if (!generation.stopRequested) void stopGeneration(generation, run.killTimeoutMs);
    options.onEvent({ type: 'exited', exit });
  };

  const spawnGeneration = async (changedPaths: readonly string[], ready: boolean): Promise<Generation> => {
    if (!run.command) throw new Error('internal: a build-only package has no program to start');
    const runCommand = run.command;
    const id = ++counters.generations;
    const launch: GenerationLaunch = handoff ? await handoff.prepare(id) : { env: {} };
    const env = buildChildEnv({
      envFiles: run.envFiles,
      env: run.env,
      hot: { HOT: '1', HOT_RESTART_COUNT: String(counters.spawns), HOT_GENERATION: String(id), ...changedPathsVariables(changedPaths), ...launch.env },
      ...(options.onEnvFileProblem ? { onMissing: options.onEnvFileProblem } : {}),
    });
    const command = launch.wrapCommand ? launch.wrapCommand(runCommand) : runCommand;
    const child = spawn({
      command,
      cwd: run.cwd,
      env,
      ...(launch.extraFds ? { extraFds: launch.extraFds } : {}),
      ...(launch.stdio ? { stdio: launch.stdio } : {}),
    });
    const generation: Generation = { id, child, stopRequested: false, ready };
    alive.add(generation);
    void child.exited.then((status) => onExit(generation, status));
    if (child.pid !== 0) {
      options.onEvent({ type: 'spawned', pid: child.pid, restartCount: counters.spawns });
      counters.spawns++;
    }
    return generation;
  };

  /** Stop, then start: the plain restart. */
  const restartInPlace = async (changedPaths: readonly string[]): Promise<StartResult> => {
    await stopCurrent();
    if (closed) return { ok: false, cause: 'closed', reason: 'hot is shutting down', oldServing: false, exit: null };
    const generation = await spawnGeneration(changedPaths, true);
    current = generation;
    state = 'running';
    if (generation.child.pid === 0) return { ok: false, cause: 'spawn', reason: 'the command could not be started', oldServing: false, exit: null };
    return { ok: true, pid: generation.child.pid, readyMs: 0 };
  };

  /** Start the next generation beside the current one; switch only once it is ready. */
  const restartBlueGreen = async (changedPaths: readonly string[], using: Handoff): Promise<StartResult> => {
    const startedAt = Date.now();
    const next = await spawnGeneration(changedPaths, false);
    if (next.child.pid === 0) return { ok: false, cause: 'spawn', reason: 'the command could not be started', oldServing: current !== null, exit: null };
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
    if (outcome !== 'ready' || closed) {
      const exitStatus = outcome === 'exited' ? await next.child.exited : null;
      if (outcome !== 'exited') await stopGeneration(next, run.killTimeoutMs);
      const reason =
        outcome === 'exited'
          ? `it exited before it was ready (${exitStatus?.signal ? `killed by ${exitStatus.signal}` : `code ${exitStatus?.code}`})`
          : closed
            ? 'hot is shutting down'
            : `it did not listen on its PORT within ${using.readyTimeoutMs} ms`;
      const exit: ChildExit | null = exitStatus
        ? { pid: next.child.pid, code: exitStatus.code, signal: exitStatus.signal, uptimeMs: Date.now() - startedAt, requested: false, beforeReady: true }
        : null;
      const cause = outcome === 'exited' ? 'exited' : closed ? 'closed' : 'timeout';
      return { ok: false, cause, reason, oldServing: current !== null, exit };
    }
    next.ready = true;
    const previous = current;
    current = next;
    state = 'running';
    using.activate(next.id);
    if (previous) {
      previous.stopRequested = true;
      // Requests already on their way to the old generation land before it is told to stop.
      const retire = (async () => {
        await new Promise((resolve) => setTimeout(resolve, using.graceMs));
        await stopGeneration(previous, using.drainTimeoutMs);
      })();
      stopping.add(retire);
      void retire.finally(() => stopping.delete(retire));
    }
    return { ok: true, pid: next.child.pid, readyMs: Date.now() - startedAt };
  };

  return {
    get state() {
      return state;
    },
    get pid() {
      return current && current.child.pid !== 0 ? current.child.pid : null;
    },
    async start({ changedPaths }) {
      clearBackoff();
      if (closed) return { ok: false, cause: 'closed', reason: 'hot is shutting down', oldServing: false, exit: null };
      const result = handoff ? await restartBlueGreen(changedPaths, handoff) : await restartInPlace(changedPaths);
      // close() may have been called while the previous program was stopping or the new one starting.
      if (closed && result.ok) await stopCurrent();
      return result;
    },
    async stop() {
      clearBackoff();
      await stopCurrent();
      state = 'idle';
    },
    enterBackoff(delayMs, onDue) {
      clearBackoff();
      state = 'backoff';
      backoffTimer = setTimeout(() => {
        backoffTimer = undefined;
        onDue();
      }, delayMs);
    },
    trip() {
      clearBackoff();
      state = 'tripped';
    },
    kill() {
      clearBackoff();
      for (const generation of alive) {
        generation.stopRequested = true;
        generation.child.kill();
      }
    },
    close() {
      closed = true;
      closing ??= (async () => {
        clearBackoff();
        await stopCurrent();
        for (const generation of alive) if (!generation.stopRequested) void stopGeneration(generation, run.killTimeoutMs);
        await Promise.allSettled([...stopping]);
        state = 'idle';
      })();
      return closing;
    },
  };
}
