import path from 'node:path';
import type { FileChangeKind } from '../events.js';
import { lstatOrNull, namesIn, statOrNull } from './fs-probe.js';
import type { TreeIndex } from './tree-index.js';

export interface LookAgainOptions {
  index(): TreeIndex;
  /** When the watcher started delivering events: files modified before were never events. */
  since(): number;
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  report(kind: FileChangeKind, file: string): void;
  /** Whether this version of the file was reported already. */
  isReported(file: string): boolean;
  /** A directory found that the index does not know. */
  onDirectory(dir: string): void;
}

export interface LookAgain {
  /** Events were just delivered for paths in these directories. */
  after(dirs: Iterable<string>, deliveredAt: number): void;
  close(): void;
}

/**
 * @parcel/watcher 2.6 can lose an event: a delivery copies the pending events and then clears the
 * list in two steps, and an event added in between is dropped (on a loaded machine, a file written
 * right after another change; seen as a file created just after a directory was removed). So
 * the directories of each delivery are looked at again shortly after (files written too recently
 * for their event to have arrived are left to it): a file the index does not
 * know is new, a known one that is gone was removed, and one modified since just before the
 * delivery (and since the watcher started) is reported as a change (the change gate drops it when that version was reported already).
 */
export function createLookAgain(options: LookAgainOptions): LookAgain {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const look = (dirs: Map<string, number>): void => {
    let budget = MAX_ENTRIES;
    // A file written later than this may still have its event on the way (the native side waits for 50 ms of quiet).
    const settled = Date.now() - EVENT_ON_THE_WAY_MS;
    for (const [dir, deliveredAt] of dirs) {
      const index = options.index();
      if (!index.hasDirectory(dir)) continue;
      // Gone: its removal is an event of its own.
      if (statOrNull(dir) === null) continue;
      const names = namesIn(dir);
      const present = new Set(names);
      for (const name of index.filesIn(dir)) {
        if (!present.has(name)) options.report('unlink', path.join(dir, name));
      }
      for (const name of names) {
        if (--budget < 0) return;
        const file = path.join(dir, name);
        const stats = statOrNull(file);
        if (stats === null) continue;
        if (stats.isDirectory()) {
          // A link is the walk's to follow or not (a second link to one target, a link up its own tree):
          // one that appears comes as an event of its own.
          if (!index.hasDirectory(file) && !index.isPruned(file) && !options.isIgnored(file, true) && lstatOrNull(file)?.isSymbolicLink() !== true) options.onDirectory(file);
          continue;
        }
        if (options.isIgnored(file, false)) continue;
        if (stats.mtimeMs > settled) continue;
        if (!index.hasFile(file)) options.report('add', file);
        else if (stats.mtimeMs >= Math.max(options.since(), deliveredAt - RECENT_MS) && !options.isReported(file)) options.report('change', file);
      }
    }
  };

  return {
    after(dirs, deliveredAt) {
      if (closed) return;
      const batch = new Map<string, number>();
      for (const dir of dirs) if (batch.size < MAX_DIRS) batch.set(dir, deliveredAt);
      for (const delayMs of LOOK_AFTER_MS) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!closed) look(batch);
        }, delayMs);
        timer.unref();
        timers.add(timer);
      }
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** When the directories of a delivery are looked at again: after the native side has delivered what was on the way. */
const LOOK_AFTER_MS = [150, 500];
/** How long an event may still be on its way from the native side. */
const EVENT_ON_THE_WAY_MS = 100;
/** A file modified this long before the delivery may have had its event lost. */
const RECENT_MS = 1000;
/** At most this many directories per delivery, and entries per look. */
const MAX_DIRS = 32;
const MAX_ENTRIES = 2000;
