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

/**
 * Trailing debounce: each change restarts the quiet period; when it passes with no change, the
 * collected paths are delivered as one batch. A single saved file waits `delayMs`; several files (a
 * checkout, a formatter, "save all") wait at least BURST_QUIET_MS, because on a busy machine the
 * events of a burst arrive with gaps longer than a short delay, and each gap would cost a restart.
 */
export function createBatcher(delayMs: number, onBatch: (batch: ChangeBatch) => void, burstQuietMs = BURST_QUIET_MS): Batcher {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = (): void => {
    timer = undefined;
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
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, pending.size > 1 ? Math.max(delayMs, burstQuietMs) : delayMs);
    },
    get pendingCount() {
      return pending.size;
    },
    takePending() {
      const paths = [...pending];
      pending = new Set();
      if (timer) clearTimeout(timer);
      timer = undefined;
      return paths;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending.clear();
    },
  };
}
