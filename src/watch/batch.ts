import type { ChangeBatch } from '../events.js';

export interface Batcher {
  add(absolutePath: string): void;
  /** Number of paths waiting for the quiet period to end. */
  readonly pendingCount: number;
  /** Removes and returns the waiting paths, e.g. to hand them to a replacement batcher. */
  takePending(): string[];
  close(): void;
}

/**
 * Trailing debounce: each change restarts the quiet period; when `delayMs` pass with no change, the
 * collected paths are delivered as one batch. A save burst or a checkout of hundreds of files becomes one.
 */
export function createBatcher(delayMs: number, onBatch: (batch: ChangeBatch) => void): Batcher {
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
      timer = setTimeout(flush, delayMs);
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
