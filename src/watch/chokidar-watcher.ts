import type { Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FileChangeKind } from '../events.js';
import { readInotifyWatchLimit } from '../platform/proc.js';
import { createChangeGate, stampOf, type ChangeGate } from './change-gate.js';
import { createRecentPaths, type RecentPaths } from './recent-paths.js';
import type { Watcher, WatcherOptions } from './backend.js';

/** chokidar on one root: polling (`poll`), and the event-based fallback where the native watcher cannot run. */
export function createChokidarWatcher(options: WatcherOptions): Watcher {
  return new ChokidarWatcher(options);
}

class ChokidarWatcher implements Watcher {
  readonly ready: Promise<void>;
  readonly #options: WatcherOptions;
  readonly #interval: number;
  readonly #fsWatcher: FSWatcher;
  readonly #reported = new Set<string>();
  /** Paths the event-based watcher reported within two poll intervals: the poller's later echo of them is dropped. */
  readonly #recentNative: RecentPaths;
  #poller: FSWatcher | null = null;
  /** Stamps of refused paths when they were refused, to catch a change before the poller's first look. */
  readonly #knownAt = new Map<string, string | undefined>();
  readonly #settleTimers = new Set<NodeJS.Timeout>();
  #toPoll: string[] = [];
  #pollTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #gate: ChangeGate;
  #settleReady: () => void = () => {};
  #closing: Promise<void> | undefined;

  constructor(options: WatcherOptions) {
    const { root } = options;
    this.#options = options;
    this.#gate = createChangeGate({ root, onChange: options.onChange, logger: options.logger });
    const outside = (options.extraPaths ?? []).filter((file) => path.relative(root, file).startsWith('..'));
    this.#interval = options.pollIntervalMs ?? 300;
    this.#recentNative = createRecentPaths(2 * this.#interval);
    this.#fsWatcher = watch([root, ...outside], this.#chokidarOptions(options.poll === true));
    this.#fsWatcher.on('add', this.#forward('add'));
    this.#fsWatcher.on('change', this.#forward('change'));
    this.#fsWatcher.on('unlink', this.#forward('unlink'));
    this.#fsWatcher.on('error', (error: unknown) => this.#onError(error));
    const { onActivity } = options;
    if (onActivity) this.#fsWatcher.on('raw', (_event: string, name: unknown, details: unknown) => onActivity(rawPath(name, details)));
    // Also settled by close(): chokidar drops its listeners on close, and a waiter must not hang.
    this.ready = new Promise<void>((resolve) => {
      this.#settleReady = resolve;
      this.#fsWatcher.once('ready', () => resolve());
    });
    simulateWatchLimit(this.#fsWatcher, this.ready, root, options.poll === true);
  }

  watchedFileCount(): number {
    const watched = this.#fsWatcher.getWatched();
    let count = 0;
    for (const [dir, names] of Object.entries(watched)) {
      for (const name of names) if (!(path.join(dir, name) in watched)) count++;
    }
    return count;
  }

  refresh(): Promise<boolean> {
    return Promise.resolve(false);
  }

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    for (const timer of this.#settleTimers) clearTimeout(timer);
    this.#gate.close();
    this.#closing ??= Promise.all([this.#fsWatcher.close(), this.#poller?.close()]).then(() => undefined).finally(() => this.#settleReady());
    return this.#closing;
  }

  #chokidarOptions(poll: boolean) {
    const interval = this.#interval;
    return {
      ignoreInitial: true,
      followSymlinks: true,
      ...(poll ? { usePolling: true, interval, binaryInterval: 2 * interval } : {}),
      ignored: (file: string, stats?: Stats) => this.#options.isIgnored(file, stats ? stats.isDirectory() : undefined),
    };
  }

  #forward(kind: FileChangeKind) {
    return (file: string): void => {
      this.#recentNative.note(file, Date.now());
      this.#gate.report(kind, file);
    };
  }

  #forwardPolled(kind: FileChangeKind) {
    return (file: string): void => {
      if (this.#recentNative.has(file, Date.now())) return;
      this.#options.onChange({ kind, path: file });
    };
  }

  #onError(error: unknown): void {
    const { logger } = this.#options;
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    const failedPath = (error as NodeJS.ErrnoException).path;
    const partial = code === 'ENOSPC' && typeof failedPath === 'string' && !this.#options.poll;
    if (partial) this.#pollLater(failedPath);
    if (this.#reported.has(code)) return;
    this.#reported.add(code);
    if (code === 'ENOSPC') {
      const limit = readWatchLimit();
      const what = partial ? `polling what it could not watch (every ${this.#interval} ms)` : 'switching to polling';
      logger.warn(`out of inotify watches (the limit is ${limit ?? 'unknown'}): ${what} so no change is missed`, {
        hint: 'raise the limit with `sudo sysctl fs.inotify.max_user_watches=524288` (and in /etc/sysctl.conf), or narrow include/exclude; `poll = true` silences this',
      });
      if (!partial) this.#options.onWatchLimit?.();
    } else {
      logger.warn(`watcher error: ${(error as Error).message ?? String(error)}`);
    }
  }

  /** Paths inotify could not take (out of watches) are polled; the rest keep their events. */
  #pollLater(file: string): void {
    this.#toPoll.push(file);
    this.#knownAt.set(file, stampOf(file)?.key);
    this.#pollTimer ??= setTimeout(() => {
      this.#pollTimer = undefined;
      if (this.#closed) return;
      const paths = this.#toPoll;
      this.#toPoll = [];
      this.#addToPoller(paths);
      // The poller compares against what it reads first: a change between the refused watch and that
      // first read would be missed, so the files are compared once more after one interval.
      const settled = setTimeout(() => {
        this.#settleTimers.delete(settled);
        if (this.#closed) return;
        this.#compareOnce(paths);
      }, this.#interval + POLL_BATCH_MS);
      this.#settleTimers.add(settled);
    }, POLL_BATCH_MS);
  }

  #addToPoller(paths: string[]): void {
    if (this.#poller) {
      this.#poller.add(paths);
      return;
    }
    const poller = watch(paths, this.#chokidarOptions(true));
    this.#poller = poller;
    poller.on('add', this.#forwardPolled('add'));
    poller.on('change', this.#forwardPolled('change'));
    poller.on('unlink', this.#forwardPolled('unlink'));
    poller.on('error', (error: unknown) => this.#options.logger.debug(`polling watcher: ${(error as Error).message ?? String(error)}`));
  }

  #compareOnce(paths: string[]): void {
    for (const polled of paths) {
      const then = this.#knownAt.get(polled);
      this.#knownAt.delete(polled);
      const now = stampOf(polled)?.key;
      if (then !== undefined && now !== undefined && now !== then) this.#forwardPolled('change')(polled);
    }
    this.#options.logger.debug(`polling ${paths.length} more path${paths.length === 1 ? '' : 's'} that inotify could not watch`);
  }
}

/**
 * The path a raw event is about: a file's own watch names the file; a directory's names an entry in it.
 * (A directory holding an entry of its own name reads as the directory: it only stirs less.)
 */
function rawPath(name: unknown, details: unknown): string {
  const watched = path.resolve(String((details as { watchedPath?: unknown } | undefined)?.watchedPath ?? ''));
  return typeof name === 'string' && name !== '' && name !== path.basename(watched) ? path.join(watched, name) : watched;
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

function readWatchLimit(): number | null {
  // Null when not Linux or /proc is not readable: the hint still says what to do.
  return readInotifyWatchLimit();
}
