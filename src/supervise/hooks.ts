import type { Command } from '../config/schema.js';
import type { SpawnChild } from './child.js';
import { settlesWithin } from './settle.js';

export type HookName = 'pre_build' | 'post_build' | 'on_restart' | 'on_crash';

export interface HookOutcome {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It ran longer than the timeout and was stopped. */
  timedOut: boolean;
  /** It could not be started at all (no shell, a vanished cwd). */
  spawnError?: Error;
}

export interface HookRunOptions {
  spawn: SpawnChild;
  cwd: string;
  /** The environment every hook gets; the hook's own HOT_* values are added to it. */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** How long a stopped hook may take after SIGTERM before SIGKILL. */
  killTimeoutMs: number;
}

/** A hook that runs longer than this is stopped: a cycle never waits forever. */
export const HOOK_TIMEOUT_MS = 60_000;

/**
 * Runs one hook in its own process group. Values (changed paths, exit codes) reach it only through
 * `HOT_*` environment variables, never through its command line.
 */
export async function runHook(options: HookRunOptions, name: HookName, command: Command, values: Record<string, string>): Promise<HookOutcome> {
  const child = options.spawn({ command, cwd: options.cwd, env: { ...options.env, HOT_HOOK: name, ...values } });
  const finished = await settlesWithin(child.exited, options.timeoutMs);
  if (!finished) {
    await child.stop('SIGTERM', options.killTimeoutMs);
    const status = await child.exited;
    return { ok: false, code: status.code, signal: status.signal, timedOut: true };
  }
  const status = await child.exited;
  // What the hook left running in its group goes too, and the group is no longer hot's to track.
  await child.stop('SIGTERM', options.killTimeoutMs);
  if (status.spawnError) return { ok: false, code: null, signal: null, timedOut: false, spawnError: status.spawnError };
  return { ok: status.code === 0, code: status.code, signal: status.signal, timedOut: false };
}

/** `exited with code 2`, `was killed by SIGTERM`, `ran longer than 60 s and was stopped`. */
export function describeHookFailure(outcome: HookOutcome, timeoutMs: number): string {
  if (outcome.spawnError) return `could not start: ${outcome.spawnError.message}`;
  if (outcome.timedOut) return `ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`;
  if (outcome.signal) return `was killed by ${outcome.signal}`;
  return `exited with code ${outcome.code}`;
}
