import type { ChangeBatch, FileChangeKind } from '../events.js';

export interface Batcher {
  /** A change; `kind` defaults to a change of an existing file's content. */
  add(absolutePath: string, kind?: FileChangeKind): void;
  /** Number of paths waiting for the quiet period to end. */
  readonly pendingCount: number;
  /** Removes and returns the waiting paths, e.g. to hand them to a replacement batcher. */
  takePending(): string[];
  close(): void;
}

/** Once a batch holds more than one file, it waits at least this long of quiet before it is delivered. */
export const BURST_QUIET_MS = 250;

/**
 * A new or deleted file waits at least this long, alone: the watcher finds new files by re-reading
 * their directory, which spreads the files of one checkout apart. Editors' saves of an existing
 * file (written in place, a temp file renamed over it, vim's backup dance) arrive as one change.
 */
export const NEW_FILE_SETTLE_MS = 50;

/** The shortest maximum wait: below it, a long burst (a checkout) would be cut into several batches. */
const MIN_MAX_WAIT_MS = 2000;

export interface BatcherOptions {
  /** Quiet a batch of several files waits for at least. */
  burstQuietMs?: number;
  /** How long after its first change a batch is delivered at the latest. */
  maxWaitMs?: number;
  /** Told when the batcher starts holding changes (true) and when it no longer does (false). */
  onPending?(pending: boolean): void;
}

/** How long a batch may wait for quiet at most: ten times the delay, and at least MIN_MAX_WAIT_MS. */
export function maxWaitFor(delayMs: number): number {
  return Math.max(10 * delayMs, MIN_MAX_WAIT_MS);
}

/**
 * Trailing debounce: each change restarts the quiet period; when it passes with no change, the
 * collected paths are delivered as one batch. A single saved file waits `delayMs` (10 ms by default:
 * an editor's save is complete when its event arrives, and the second changed file of a checkout
 * follows the first within a few ms), a new or deleted one at least NEW_FILE_SETTLE_MS; several files (a checkout, a formatter, "save all") wait at least
 * BURST_QUIET_MS, because on a busy machine the events of a burst arrive with gaps longer than a
 * short delay, and each gap would cost a restart. `onPending` lets the pipeline hold a build that
 * finishes while changes are still being collected.
 * A batch never waits longer than `maxWaitMs` after its first change: a file touched more often than
 * the quiet period (a log, a watch-mode tool) would otherwise hold back every rebuild.
 */
export function createBatcher(delayMs: number, onBatch: (batch: ChangeBatch) => void, options: BatcherOptions = {}): Batcher {
  const { burstQuietMs = BURST_QUIET_MS, maxWaitMs = maxWaitFor(delayMs), onPending } = options;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  /** Set by the first change of a batch, cleared with it. */
  let deadline: NodeJS.Timeout | undefined;
  let closed = false;
  /** The batch has a new or deleted file. */
  let structural = false;

  const clearTimers = (): void => {
    clearTimeout(timer);
    clearTimeout(deadline);
    timer = undefined;
    deadline = undefined;
  };

  /** Empties the batch; the pipeline hears "no longer pending" after it has the batch. */
  const take = (): string[] => {
    clearTimers();
    const paths = [...pending];
    pending = new Set();
    structural = false;
    return paths;
  };
  const settled = (paths: string[]): void => {
    if (paths.length > 0) onPending?.(false);
  };

  const flush = (): void => {
    const paths = take();
    if (paths.length > 0) onBatch({ paths });
    settled(paths);
  };

  return {
    add(absolutePath, kind = 'change') {
      if (closed) return;
      if (pending.size === 0) onPending?.(true);
      pending.delete(absolutePath);
      pending.add(absolutePath);
      structural ||= kind !== 'change';
      clearTimeout(timer);
      timer = setTimeout(flush, pending.size > 1 ? Math.max(delayMs, burstQuietMs) : structural ? Math.max(delayMs, NEW_FILE_SETTLE_MS) : delayMs);
      deadline ??= setTimeout(flush, maxWaitMs);
    },
    get pendingCount() {
      return pending.size;
    },
    takePending() {
      const paths = take();
      settled(paths);
      return paths;
    },
    close() {
      closed = true;
      settled(take());
    },
  };
}
