import type { ChangeBatch } from '../events.js';

export interface Batcher {
  add(absolutePath: string): void;
  /** Number of paths waiting for the quiet period to end. */
  readonly pendingCount: number;
  /** Removes and returns the waiting paths, e.g. to hand them to a replacement batcher. */
  takePending(): string[];
  close(): void;
}

/** Once a batch holds more than one file, it waits at least this long of quiet before it is delivered. */
export const BURST_QUIET_MS = 250;

/** The shortest maximum wait: below it, a long burst (a checkout) would be cut into several batches. */
const MIN_MAX_WAIT_MS = 2000;

/** How long a batch may wait for quiet at most: ten times the delay, and at least MIN_MAX_WAIT_MS. */
export function maxWaitFor(delayMs: number): number {
  return Math.max(10 * delayMs, MIN_MAX_WAIT_MS);
}

/**
 * Trailing debounce: each change restarts the quiet period; when it passes with no change, the
 * collected paths are delivered as one batch. A single saved file waits `delayMs`; several files (a
 * checkout, a formatter, "save all") wait at least BURST_QUIET_MS, because on a busy machine the
 * events of a burst arrive with gaps longer than a short delay, and each gap would cost a restart.
 * A batch never waits longer than `maxWaitMs` after its first change: a file touched more often than
 * the quiet period (a log, a watch-mode tool) would otherwise hold back every rebuild.
 */
export function createBatcher(delayMs: number, onBatch: (batch: ChangeBatch) => void, burstQuietMs = BURST_QUIET_MS, maxWaitMs = maxWaitFor(delayMs)): Batcher {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  /** Set by the first change of a batch, cleared with it. */
  let deadline: NodeJS.Timeout | undefined;
  let closed = false;

  const clearTimers = (): void => {
    clearTimeout(timer);
    clearTimeout(deadline);
    timer = undefined;
    deadline = undefined;
  };

  const flush = (): void => {
    clearTimers();
    if (pending.size === 0) return;
    const batch: ChangeBatch = { paths: [...pending] };
    pending = new Set();
    onBatch(batch);
  };

  return {
    add(absolutePath) {
      if (closed) return;
      pending.delete(absolutePath);
      pending.add(absolutePath);
      clearTimeout(timer);
      timer = setTimeout(flush, pending.size > 1 ? Math.max(delayMs, burstQuietMs) : delayMs);
      deadline ??= setTimeout(flush, maxWaitMs);
    },
    get pendingCount() {
      return pending.size;
    },
    takePending() {
      const paths = [...pending];
      pending = new Set();
      clearTimers();
      return paths;
    },
    close() {
      closed = true;
      clearTimers();
      pending.clear();
    },
  };
}
