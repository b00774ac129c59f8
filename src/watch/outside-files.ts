import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { FileChangeKind } from '../events.js';
import { statOrNull } from './fs-probe.js';

export interface OutsideFilesOptions {
  /** Absolute paths of single files, each watched through its directory (an atomic save replaces the file). */
  files: readonly string[];
  onActivity(file: string): void;
  onChange(kind: FileChangeKind, file: string): void;
}

export interface OutsideFiles {
  /** How many of the files exist now. */
  readonly count: number;
  close(): void;
}

/**
 * Files the tree's watcher does not cover (an env file one level up, a config file in a skipped
 * directory): one non-recursive watch per directory holding them, whatever else is in it.
 */
export function createOutsideFiles(options: OutsideFilesOptions): OutsideFiles {
  const byDirectory = new Map<string, Set<string>>();
  for (const file of options.files) {
    const dir = path.dirname(file);
    if (!byDirectory.has(dir)) byDirectory.set(dir, new Set());
    byDirectory.get(dir)!.add(path.basename(file));
  }
  const present = new Set(options.files.filter(isFile));
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDirectory) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (typeof name !== 'string' || !names.has(name)) return;
        const file = path.join(dir, name);
        options.onActivity(file);
        const was = present.has(file);
        if (isFile(file)) {
          present.add(file);
          options.onChange(was ? 'change' : 'add', file);
        } else if (was) {
          present.delete(file);
          options.onChange('unlink', file);
        }
      });
      // A directory removed while watched: its files are gone from hot's view until hot starts again.
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // The directory does not exist (or cannot be read): nothing in it to watch.
    }
  }
  return {
    get count() {
      return present.size;
    },
    close() {
      for (const watcher of watchers) watcher.close();
    },
  };
}

function isFile(file: string): boolean {
  return statOrNull(file)?.isFile() === true;
}
