import type { ResolvedRun } from '../config/schema.js';
import type { ChildExit, SupervisorEvent } from '../events.js';
import { spawnChild, type ChildHandle, type SpawnChild } from './child.js';
import { buildChildEnv } from './env.js';
import { settlesWithin } from './settle.js';

/** How long to wait for an exit after SIGKILL before reporting the process as stuck. */
const EXIT_WAIT_MS = 10_000;

/** idle: nothing running · running · stopping · backoff: waiting to restart after a crash · tripped: too many crashes. */
export type SupervisorState = 'idle' | 'running' | 'stopping' | 'backoff' | 'tripped';

export interface SupervisorOptions {
  run: ResolvedRun;
  onEvent(event: SupervisorEvent): void;
  /** Reports an env file that could not be read. */
  onEnvFileProblem?(file: string, reason: string): void;
  spawn?: SpawnChild;
}

export interface StartOptions {
  changedPaths: readonly string[];
}

export interface Supervisor {
  readonly state: SupervisorState;
  readonly pid: number | null;
  /** Stops the running program (if any) and starts a fresh one. */
  start(options: StartOptions): Promise<void>;
  /** Stops the running program, if any. */
  stop(): Promise<void>;
  /** Waits `delayMs`, then calls `onDue`; a start or stop in between cancels it. */
  enterBackoff(delayMs: number, onDue: () => void): void;
  /** Too many crashes: no restart until `start` is called again. */
  trip(): void;
  /** SIGKILL to the running program's group, now. */
  kill(): void;
  close(): Promise<void>;
}

/**
 * Runs one program at a time: start, stop through the kill path, and the waiting states. The policy
 * (when to restart, how long to back off) is decided by the app; this only carries it out.
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const spawn = options.spawn ?? spawnChild;
  const { run } = options;
  let state: SupervisorState = 'idle';
  let current: ChildHandle | null = null;
  let stopRequested = false;
  let backoffTimer: NodeJS.Timeout | undefined;
  let spawnCount = 0;
  let closing: Promise<void> | undefined;
  let closed = false;
  /** Groups of programs that exited on their own and are being cleaned up (a server their shell left). */
  const cleanups = new Set<Promise<unknown>>();
  const cleaning = new Set<ChildHandle>();

  const clearBackoff = (): void => {
    if (backoffTimer) clearTimeout(backoffTimer);
    backoffTimer = undefined;
  };

  const stopCurrent = async (): Promise<void> => {
    const child = current;
    if (!child) return;
    stopRequested = true;
    state = 'stopping';
    const { forced } = await child.stop(run.killSignal, run.killTimeoutMs);
    if (forced) options.onEvent({ type: 'force-killed', pid: child.pid, afterMs: run.killTimeoutMs });
    // stop() waits for the exit itself; this bound only matters for a process stuck in the kernel.
    if (!(await settlesWithin(child.exited, EXIT_WAIT_MS))) options.onEvent({ type: 'stuck', pid: child.pid });
    if (current === child) current = null;
  };

  const watchExit = (child: ChildHandle): void => {
    void child.exited.then((status) => {
      const exit: ChildExit = {
        pid: child.pid,
        code: status.code,
        signal: status.signal,
        uptimeMs: Date.now() - child.startedAt,
        requested: stopRequested && current === child,
        ...(status.spawnError ? { spawnError: status.spawnError } : {}),
      };
      if (current === child && !exit.requested) {
        current = null;
        state = 'idle';
        // Whatever the program left behind in its group goes with it; close() and kill() wait for or end this.
        cleaning.add(child);
        const cleanup = child.stop(run.killSignal, run.killTimeoutMs).finally(() => {
          cleanups.delete(cleanup);
          cleaning.delete(child);
        });
        cleanups.add(cleanup);
      }
      options.onEvent({ type: 'exited', exit });
    });
  };

  return {
    get state() {
      return state;
    },
    get pid() {
      return current && current.pid !== 0 ? current.pid : null;
    },
    async start({ changedPaths }) {
      clearBackoff();
      await stopCurrent();
      // close() may have been called while the previous program was stopping.
      if (closed) return;
      const env = buildChildEnv(
        {
          envFiles: run.envFiles,
          env: run.env,
          hot: { HOT: '1', HOT_RESTART_COUNT: String(spawnCount), HOT_CHANGED: changedPaths.join('\n') },
          ...(options.onEnvFileProblem ? { onMissing: options.onEnvFileProblem } : {}),
        },
      );
      stopRequested = false;
      const child = spawn({ command: run.command, cwd: run.cwd, env });
      current = child;
      state = 'running';
      watchExit(child);
      if (child.pid !== 0) {
        options.onEvent({ type: 'spawned', pid: child.pid, restartCount: spawnCount });
        spawnCount++;
      }
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
      if (current) {
        stopRequested = true;
        current.kill();
      }
      for (const child of cleaning) child.kill();
    },
    close() {
      closed = true;
      closing ??= (async () => {
        clearBackoff();
        await stopCurrent();
        await Promise.allSettled([...cleanups]);
        state = 'idle';
      })();
      return closing;
    },
  };
}
