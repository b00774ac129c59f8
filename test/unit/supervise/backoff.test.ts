import { describe, expect, it } from 'vitest';
import { backoffDelayMs, decideAfterExit, type CrashPolicy } from '../../../src/supervise/backoff.js';

const POLICY: CrashPolicy = { backoffInitialMs: 100, backoffMaxMs: 1000, maxRestarts: 3, windowMs: 10_000 };
const CRASH = { code: 1, signal: null };

describe('backoffDelayMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [50, 1000],
  ])('attempt %i waits %i ms', (attempt, expected) => {
    expect(backoffDelayMs(attempt, 100, 1000)).toBe(expected);
  });

  it('never exceeds max, even on the first attempt', () => {
    expect(backoffDelayMs(1, 500, 200)).toBe(200);
    expect(backoffDelayMs(10_000, 100, 5000)).toBe(5000);
  });
});

describe('decideAfterExit', () => {
  it('waits for a change after a clean exit and records no crash', () => {
    const result = decideAfterExit({ code: 0, signal: null }, [1000], 2000, POLICY);
    expect(result).toEqual({ decision: { action: 'wait', reason: 'clean' }, crashTimes: [1000] });
  });

  it('treats a death by signal as a crash', () => {
    const result = decideAfterExit({ code: null, signal: 'SIGSEGV' }, [], 5000, POLICY);
    expect(result.decision).toEqual({ action: 'restart', delayMs: 100, attempt: 1, maxRestarts: 3 });
    expect(result.crashTimes).toEqual([5000]);
  });

  it('backs off, doubling, for repeated crashes', () => {
    let crashTimes: number[] = [];
    const delays: number[] = [];
    for (const now of [1000, 2000, 3000]) {
      const result = decideAfterExit(CRASH, crashTimes, now, POLICY);
      if (result.decision.action === 'restart') delays.push(result.decision.delayMs);
      crashTimes = result.crashTimes;
    }
    expect(delays).toEqual([100, 200, 400]);
    expect(crashTimes).toEqual([1000, 2000, 3000]);
  });

  it('caps the delay at the max', () => {
    const policy = { ...POLICY, maxRestarts: 10 };
    const result = decideAfterExit(CRASH, [1, 2, 3, 4, 5, 6], 7, policy);
    expect(result.decision).toEqual({ action: 'restart', delayMs: 1000, attempt: 7, maxRestarts: 10 });
  });

  it('trips on the crash after maxRestarts inside the window', () => {
    const result = decideAfterExit(CRASH, [1000, 2000, 3000], 4000, POLICY);
    expect(result.decision).toEqual({ action: 'trip', crashes: 4, windowMs: 10_000 });
  });

  it('forgets crashes that fell out of the window', () => {
    const result = decideAfterExit(CRASH, [1000, 2000, 9000], 12_000, POLICY);
    expect(result.crashTimes).toEqual([9000, 12_000]);
    expect(result.decision).toEqual({ action: 'restart', delayMs: 200, attempt: 2, maxRestarts: 3 });
  });

  it('does not mutate the history it is given', () => {
    const history = [1000];
    decideAfterExit(CRASH, history, 2000, POLICY);
    expect(history).toEqual([1000]);
  });
});
