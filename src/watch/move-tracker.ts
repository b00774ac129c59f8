import path from 'node:path';
import type { FileChange } from '../events.js';

/**
 * A directory moved within the tree shows up as an `add` of each file at its new path right away and
 * an `unlink` of the old path a few hundred milliseconds later (chokidar holds deletions back to
 * merge atomic saves). Without care that is two restarts for one move. This recognises the late
 * `unlink` of a file whose name was just added elsewhere.
 */
export interface MoveTracker {
  /** True for the deletion half of a move whose addition was already seen. */
  isTailOfMove(change: FileChange): boolean;
}

export function createMoveTracker(windowMs = 1500, now: () => number = Date.now): MoveTracker {
  const recentAdds = new Map<string, number>();
  return {
    isTailOfMove(change) {
      const name = path.basename(change.path);
      const at = now();
      if (change.kind === 'add') {
        recentAdds.set(name, at);
        if (recentAdds.size > 10_000) recentAdds.clear();
        return false;
      }
      if (change.kind !== 'unlink') return false;
      const addedAt = recentAdds.get(name);
      return addedAt !== undefined && at - addedAt <= windowMs;
    },
  };
}
