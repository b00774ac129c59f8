import { existsSync } from 'node:fs';
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

export interface MoveTrackerOptions {
  windowMs?: number;
  now?: () => number;
  exists?: (file: string) => boolean;
}

/**
 * A deletion is the tail of a move only when a file of the same name was just added at another path,
 * that file is still there, and the deleted file's directory is gone (the directory itself moved).
 * A plain deletion, or a file created and deleted again, always counts.
 */
export function createMoveTracker(options: MoveTrackerOptions = {}): MoveTracker {
  const windowMs = options.windowMs ?? 1500;
  const now = options.now ?? Date.now;
  const exists = options.exists ?? existsSync;
  const recentAdds = new Map<string, { path: string; at: number }[]>();
  return {
    isTailOfMove(change) {
      const name = path.basename(change.path);
      const at = now();
      if (change.kind === 'add') {
        const list = (recentAdds.get(name) ?? []).filter((entry) => at - entry.at <= windowMs);
        list.push({ path: change.path, at });
        recentAdds.set(name, list);
        if (recentAdds.size > 10_000) recentAdds.clear();
        return false;
      }
      if (change.kind !== 'unlink' || exists(path.dirname(change.path))) return false;
      const list = recentAdds.get(name) ?? [];
      const match = list.findIndex((entry) => entry.path !== change.path && at - entry.at <= windowMs && exists(entry.path));
      if (match === -1) return false;
      list.splice(match, 1); // one addition pays for one deletion
      return true;
    },
  };
}
