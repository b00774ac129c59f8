import type { ChangeBatch, FileChangeKind } from '../events.js';

export interface Batcher {
  /** A change; `kind` defaults to a change of an existing file's content. */
  add(absolutePath: string, kind?: FileChangeKind): void;
  /**
   * The file system stirred at this path (a raw watcher event, before the watcher has looked at the
   * file): the quiet period starts again, and a second file stirring makes the batch a burst.
   */
  stir(absolutePath: string): void;
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
 *
 * On a busy machine hot itself may run late: when the quiet period ends, events may already wait in
 * the kernel, and the watcher reports a change only after it has looked at the file. So a batch is
 * delivered only after one more look at pending I/O, and raw events (`stir`) count as changes for the
 * quiet period: a burst is known as soon as its second file stirs, not when the watcher reports it.
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
  /** Up to two paths that stirred lately (two tell a burst), and when the last one did. */
  let stirred = new Set<string>();
  let stirredAt = 0;

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
    stirred = new Set();
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

  /** Several files: pending ones, or one pending and another that stirred lately. */
  const isBurst = (): boolean => {
    if (pending.size > 1) return true;
    if (Date.now() - stirredAt > burstQuietMs) return false;
    for (const file of stirred) if (!pending.has(file)) return true;
    return false;
  };

  const quietMs = (): number => (isBurst() ? Math.max(delayMs, burstQuietMs) : structural ? Math.max(delayMs, NEW_FILE_SETTLE_MS) : delayMs);

  /** The quiet period ends: pending I/O is looked at first (a stir or a change there arms a new timer). */
  const quietEnded = (): void => {
    timer = undefined;
    setImmediate(() => {
      if (closed || timer !== undefined || pending.size === 0) return;
      flush();
    });
  };

  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(quietEnded, quietMs());
  };

  return {
    add(absolutePath, kind = 'change') {
      if (closed) return;
      if (pending.size === 0) onPending?.(true);
      pending.delete(absolutePath);
      pending.add(absolutePath);
      structural ||= kind !== 'change';
      arm();
      deadline ??= setTimeout(flush, maxWaitMs);
    },
    stir(absolutePath) {
      if (closed) return;
      const now = Date.now();
      if (now - stirredAt > burstQuietMs) stirred = new Set();
      stirredAt = now;
      if (stirred.size < 2) stirred.add(absolutePath);
      if (pending.size > 0) arm();
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
