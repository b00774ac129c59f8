import type { Command } from '../config/schema.js';
import type { HookName } from '../events.js';
import type { SpawnChild } from '../supervise/child.js';
import { settlesWithin } from '../supervise/settle.js';

export interface HookOutcome {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It ran longer than the timeout and was stopped. */
  timedOut: boolean;
  /** It could not be started at all (no shell, a vanished cwd). */
  spawnError?: Error;
}

export interface HookRunnerOptions {
  spawn: SpawnChild;
  /** How long a stopped hook may take after SIGTERM before SIGKILL. */
  killTimeoutMs: () => number;
  timeoutMs?: number;
}

/** Runs hooks and knows which still run: close() stops them and waits, kill() kills them. */
export interface HookRunner {
  /** Null once the runner is closed (nothing was started). */
  run(name: HookName, command: Command, cwd: string, env: NodeJS.ProcessEnv): Promise<HookOutcome | null>;
  close(): Promise<void>;
  kill(): void;
}

/** A hook that runs longer than this is stopped: a cycle never waits forever. */
export const HOOK_TIMEOUT_MS = 60_000;

/**
 * Each hook runs in its own process group. Values (changed paths, exit codes) reach it only through
 * `HOT_*` environment variables, never through its command line.
 */
export function createHookRunner(options: HookRunnerOptions): HookRunner {
  const timeoutMs = options.timeoutMs ?? HOOK_TIMEOUT_MS;
  const running = new Map<Promise<HookOutcome>, AbortController>();
  let closed = false;

  const runOne = async (name: HookName, command: Command, cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<HookOutcome> => {
    const child = options.spawn({ command, cwd, env: { ...env, HOT_HOOK: name } });
    const onAbort = (): void => {
      if (signal.reason === 'kill') child.kill();
      else void child.stop('SIGTERM', options.killTimeoutMs());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const finished = await settlesWithin(child.exited, timeoutMs);
      if (!finished) {
        await child.stop('SIGTERM', options.killTimeoutMs());
        const status = await child.exited;
        return { ok: false, code: status.code, signal: status.signal, timedOut: true };
      }
      const status = await child.exited;
      // What the hook left running in its group goes too, and the group is no longer hot's to track.
      await child.stop('SIGTERM', options.killTimeoutMs());
      if (status.spawnError) return { ok: false, code: null, signal: null, timedOut: false, spawnError: status.spawnError };
      return { ok: status.code === 0, code: status.code, signal: status.signal, timedOut: false };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    async run(name, command, cwd, env) {
      if (closed) return null;
      const abort = new AbortController();
      const outcome = runOne(name, command, cwd, env, abort.signal);
      running.set(outcome, abort);
      try {
        return await outcome;
      } finally {
        running.delete(outcome);
      }
    },
    async close() {
      closed = true;
      for (const abort of running.values()) abort.abort('stop');
      await Promise.allSettled([...running.keys()]);
    },
    kill() {
      closed = true;
      for (const abort of running.values()) abort.abort('kill');
    },
  };
}

/**
 * Runs `run` for one value at a time: a value submitted while one runs waits, and a later one
 * replaces it (queued once, with the latest values), so a crash loop never piles up on_crash hooks:
 * at most one runs and one waits. A failed run is the caller's to report (`run` should not reject).
 */
export function oneAtATime<T>(run: (value: T) => Promise<unknown>): (value: T) => void {
  let running = false;
  let waiting: { value: T } | null = null;
  const start = (value: T): void => {
    running = true;
    void run(value)
      .catch(() => {
        // Reported by `run` itself; the queue goes on regardless.
      })
      .finally(() => {
        running = false;
        const next = waiting;
        waiting = null;
        if (next) start(next.value);
      });
  };
  return (value) => {
    if (running) waiting = { value };
    else start(value);
  };
}

/** `exited with code 2`, `was killed by SIGTERM`, `ran longer than 60 s and was stopped`. */
export function describeHookFailure(outcome: HookOutcome, timeoutMs = HOOK_TIMEOUT_MS): string {
  if (outcome.spawnError) return `could not start: ${outcome.spawnError.message}`;
  if (outcome.timedOut) return `ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`;
  if (outcome.signal) return `was killed by ${outcome.signal}`;
  return `exited with code ${outcome.code}`;
}
