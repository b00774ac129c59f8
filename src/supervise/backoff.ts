/** Restart policy after a crash, as pure functions of the crash history. */

export interface CrashPolicy {
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxRestarts: number;
  windowMs: number;
}

export type ExitDecision =
  | { action: 'wait'; reason: 'clean' }
  | { action: 'restart'; delayMs: number; attempt: number; maxRestarts: number }
  | { action: 'trip'; crashes: number; windowMs: number };

/** Delay before restart number `attempt` (1-based): initial, doubling, capped at max. */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  if (attempt <= 1) return Math.min(initialMs, maxMs);
  const delay = initialMs * 2 ** Math.min(attempt - 1, 30);
  return Math.min(delay, maxMs);
}

/**
 * What to do once the program exits on its own. A clean exit (code 0) waits for changes. A crash
 * restarts after a backoff that grows with the crashes inside the window; one crash more than
 * `maxRestarts` inside the window opens the circuit. Returns the crash history to keep.
 */
export function decideAfterExit(
  exit: { code: number | null; signal: string | null },
  crashTimes: readonly number[],
  now: number,
  policy: CrashPolicy,
): { decision: ExitDecision; crashTimes: number[] } {
  const recent = crashTimes.filter((time) => now - time < policy.windowMs);
  if (exit.code === 0 && exit.signal === null) return { decision: { action: 'wait', reason: 'clean' }, crashTimes: recent };
  recent.push(now);
  if (recent.length > policy.maxRestarts) {
    return { decision: { action: 'trip', crashes: recent.length, windowMs: policy.windowMs }, crashTimes: recent };
  }
  const attempt = recent.length;
  return {
    decision: { action: 'restart', delayMs: backoffDelayMs(attempt, policy.backoffInitialMs, policy.backoffMaxMs), attempt, maxRestarts: policy.maxRestarts },
    crashTimes: recent,
  };
}
