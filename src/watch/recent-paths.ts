/**
 * Paths seen within the last `windowMs`: the native watcher's events, against which the poller's
 * later echo of the same change is dropped. Older entries are forgotten as time passes (at most once
 * per window, on a `note`), so the set holds one window's worth of paths, not every path ever changed.
 */
export interface RecentPaths {
  note(file: string, now: number): void;
  has(file: string, now: number): boolean;
  readonly size: number;
}

export function createRecentPaths(windowMs: number): RecentPaths {
  const seenAt = new Map<string, number>();
  let prunedAt = Number.NEGATIVE_INFINITY;
  const prune = (now: number): void => {
    prunedAt = now;
    // Oldest first (a noted path moves to the end): stop at the first one still inside the window.
    for (const [file, at] of seenAt) {
      if (now - at < windowMs) break;
      seenAt.delete(file);
    }
  };
  return {
    note(file, now) {
      if (now - prunedAt >= windowMs) prune(now);
      seenAt.delete(file);
      seenAt.set(file, now);
    },
    has(file, now) {
      const at = seenAt.get(file);
      return at !== undefined && now - at < windowMs;
    },
    get size() {
      return seenAt.size;
    },
  };
}
