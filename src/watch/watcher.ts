import { readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FileChange, FileChangeKind } from '../events.js';
import type { Logger } from '../ui/logger.js';

export interface WatcherOptions {
  root: string;
  /** Files always watched, whatever `isIgnored` says, also outside the root (an env file one level up). */
  extraPaths?: readonly string[];
  /** Decides what chokidar never looks at; directories it rejects are not walked at all. */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  onChange(change: FileChange): void;
  /** Check files every `pollIntervalMs` instead of waiting for file-system events. */
  poll?: boolean;
  pollIntervalMs?: number;
  /** Called once when the system runs out of inotify watches: changes to some files would be missed. */
  onWatchLimit?(): void;
  logger: Logger;
}

export interface Watcher {
  /** Resolves once the initial scan is done and events are being delivered. */
  readonly ready: Promise<void>;
  /** Number of files (not directories) being watched. */
  watchedFileCount(): number;
  close(): Promise<void>;
}

/** chokidar on one root, reporting absolute file paths; errors are logged once per kind, never thrown. */
export function createWatcher(options: WatcherOptions): Watcher {
  const { root, logger } = options;
  const outside = (options.extraPaths ?? []).filter((file) => path.relative(root, file).startsWith('..'));
  const fsWatcher: FSWatcher = watch([root, ...outside], {
    ignoreInitial: true,
    followSymlinks: true,
    ...(options.poll ? { usePolling: true, interval: options.pollIntervalMs ?? 300, binaryInterval: 2 * (options.pollIntervalMs ?? 300) } : {}),
    ignored: (file: string, stats?: Stats) => options.isIgnored(file, stats ? stats.isDirectory() : undefined),
  });
  const reported = new Set<string>();

  const forward = (kind: FileChangeKind) => (file: string) => options.onChange({ kind, path: file });
  fsWatcher.on('add', forward('add'));
  fsWatcher.on('change', forward('change'));
  fsWatcher.on('unlink', forward('unlink'));
  fsWatcher.on('error', (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    if (reported.has(code)) return;
    reported.add(code);
    if (code === 'ENOSPC') {
      const limit = readWatchLimit();
      logger.warn(`out of inotify watches (the limit is ${limit ?? 'unknown'}): switching to polling so no change is missed`, {
        hint: 'raise the limit with `sudo sysctl fs.inotify.max_user_watches=524288` (and in /etc/sysctl.conf), or narrow include/exclude; `poll = true` silences this',
      });
      options.onWatchLimit?.();
    } else {
      logger.warn(`watcher error: ${(error as Error).message ?? String(error)}`);
    }
  });

  let settleReady: () => void = () => {};
  // Also settled by close(): chokidar drops its listeners on close, and a waiter must not hang.
  const ready = new Promise<void>((resolve) => {
    settleReady = resolve;
    fsWatcher.once('ready', () => resolve());
  });
  let closing: Promise<void> | undefined;
  // Test-only: the tests cannot lower the system's inotify limit, so HOT_TEST_ENOSPC=1 reports running
  // out of watches once the first scan is done, as chokidar does when the limit is hit.
  if (process.env.HOT_TEST_ENOSPC === '1' && !options.poll) {
    void ready.then(() => fsWatcher.emit('error', Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' })));
  }

  return {
    ready,
    watchedFileCount() {
      const watched = fsWatcher.getWatched();
      let count = 0;
      for (const [dir, names] of Object.entries(watched)) {
        for (const name of names) if (!(path.join(dir, name) in watched)) count++;
      }
      return count;
    },
    close() {
      closing ??= fsWatcher.close().finally(() => settleReady());
      return closing;
    },
  };
}

function readWatchLimit(): number | null {
  try {
    return Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
  } catch {
    // Not Linux, or /proc is not readable: the hint still says what to do.
    return null;
  }
}
