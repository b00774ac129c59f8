/**
 * The one "wait until" of the tests. Everything that waits (for output, an HTTP answer, a process to
 * be gone, a file to be written) polls a check with a deadline through this function; nothing sleeps.
 */

/** The deadline of one step: generous, because integration tests share 2 cores with other work. */
export const STEP_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 20;

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** What a check gives when it is not satisfied yet. */
type NotYet = undefined | null | false;

/** What a satisfied check gives. */
export type Satisfied<T> = Exclude<T, NotYet>;

/**
 * Polls `check` until it gives a value other than undefined, null or false, and resolves with it.
 * An error thrown by `check` ends the wait at once (a check throws when waiting longer is pointless).
 * `what` says what was awaited, for the timeout message; a function is asked only then, so it can
 * describe the last thing it saw.
 */
export async function waitUntil<T>(what: string | (() => string), check: () => T | Promise<T>, options: WaitOptions = {}): Promise<Satisfied<T>> {
  const { timeoutMs = STEP_TIMEOUT_MS, intervalMs = POLL_INTERVAL_MS } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as Satisfied<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
