import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FileChange, FileChangeKind } from '../events.js';
import { readInotifyWatchLimit } from '../platform/proc.js';
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
  const interval = options.pollIntervalMs ?? 300;
  const chokidarOptions = (poll: boolean) => ({
    ignoreInitial: true,
    followSymlinks: true,
    ...(poll ? { usePolling: true, interval, binaryInterval: 2 * interval } : {}),
    ignored: (file: string, stats?: Stats) => options.isIgnored(file, stats ? stats.isDirectory() : undefined),
  });
  const fsWatcher: FSWatcher = watch([root, ...outside], chokidarOptions(options.poll === true));
  const reported = new Set<string>();
  /** When the event-based watcher last reported each path: the poller's later echo of it is dropped. */
  const lastNative = new Map<string, number>();
  let poller: FSWatcher | null = null;
  /** mtimes of refused paths when they were refused, to catch a change before the poller's first look. */
  const knownAt = new Map<string, number | undefined>();
  const settleTimers = new Set<NodeJS.Timeout>();
  let toPoll: string[] = [];
  let pollTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const forward = (kind: FileChangeKind) => (file: string) => {
    lastNative.set(file, Date.now());
    options.onChange({ kind, path: file });
  };
  const forwardPolled = (kind: FileChangeKind) => (file: string) => {
    if (Date.now() - (lastNative.get(file) ?? 0) < 2 * interval) return;
    options.onChange({ kind, path: file });
  };
  fsWatcher.on('add', forward('add'));
  fsWatcher.on('change', forward('change'));
  fsWatcher.on('unlink', forward('unlink'));

  /** Paths inotify could not take (out of watches) are polled; the rest keep their events. */
  const pollLater = (file: string): void => {
    toPoll.push(file);
    knownAt.set(file, modifiedAt(file));
    pollTimer ??= setTimeout(() => {
      pollTimer = undefined;
      if (closed) return;
      const paths = toPoll;
      toPoll = [];
      if (poller) poller.add(paths);
      else {
        poller = watch(paths, chokidarOptions(true));
        poller.on('add', forwardPolled('add'));
        poller.on('change', forwardPolled('change'));
        poller.on('unlink', forwardPolled('unlink'));
        poller.on('error', (error: unknown) => logger.debug(`polling watcher: ${(error as Error).message ?? String(error)}`));
      }
      // The poller compares against what it reads first: a change between the refused watch and that
      // first read would be missed, so the files are compared once more after one interval.
      const settled = setTimeout(() => {
        settleTimers.delete(settled);
        if (closed) return;
        for (const polled of paths) {
          const then = knownAt.get(polled);
          knownAt.delete(polled);
          const now = modifiedAt(polled);
          if (then !== undefined && now !== undefined && now !== then) forwardPolled('change')(polled);
        }
        logger.debug(`polling ${paths.length} more path${paths.length === 1 ? '' : 's'} that inotify could not watch`);
      }, interval + POLL_BATCH_MS);
      settleTimers.add(settled);
    }, POLL_BATCH_MS);
  };

  fsWatcher.on('error', (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    const failedPath = (error as NodeJS.ErrnoException).path;
    const partial = code === 'ENOSPC' && typeof failedPath === 'string' && !options.poll;
    if (partial) pollLater(failedPath);
    if (reported.has(code)) return;
    reported.add(code);
    if (code === 'ENOSPC') {
      const limit = readWatchLimit();
      const what = partial ? `polling what it could not watch (every ${interval} ms)` : 'switching to polling';
      logger.warn(`out of inotify watches (the limit is ${limit ?? 'unknown'}): ${what} so no change is missed`, {
        hint: 'raise the limit with `sudo sysctl fs.inotify.max_user_watches=524288` (and in /etc/sysctl.conf), or narrow include/exclude; `poll = true` silences this',
      });
      if (!partial) options.onWatchLimit?.();
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
  simulateWatchLimit(fsWatcher, ready, root, options.poll === true);

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
      closed = true;
      clearTimeout(pollTimer);
      for (const timer of settleTimers) clearTimeout(timer);
      closing ??= Promise.all([fsWatcher.close(), poller?.close()]).then(() => undefined).finally(() => settleReady());
      return closing;
    },
  };
}

/** Out-of-watches errors come one per path while chokidar walks: they are polled together. */
const POLL_BATCH_MS = 100;

/**
 * Test-only: the tests cannot lower the system's inotify limit. HOT_TEST_ENOSPC=1 reports running out
 * of watches after the first scan without naming a path (hot then polls everything);
 * HOT_TEST_ENOSPC=a,b stops watching those paths (relative to the root) and reports each as one
 * inotify could not take, as chokidar does at the limit.
 */
function simulateWatchLimit(fsWatcher: FSWatcher, ready: Promise<void>, root: string, polling: boolean): void {
  const value = process.env.HOT_TEST_ENOSPC;
  if (!value || polling) return;
  const enospc = (file?: string) => Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC', ...(file ? { path: file } : {}) });
  void ready.then(() => {
    if (value === '1') {
      fsWatcher.emit('error', enospc());
      return;
    }
    for (const relative of value.split(',')) {
      const file = path.join(root, relative);
      fsWatcher.unwatch(file);
      fsWatcher.emit('error', enospc(file));
    }
  });
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    // Gone: its unlink is the poller's to report.
    return undefined;
  }
}

function readWatchLimit(): number | null {
  // Null when not Linux or /proc is not readable: the hint still says what to do.
  return readInotifyWatchLimit();
}
