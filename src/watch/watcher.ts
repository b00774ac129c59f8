import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FileChange, FileChangeKind } from '../events.js';
import { readInotifyWatchLimit } from '../platform/proc.js';
import type { Logger } from '../ui/logger.js';
import { createRecentPaths, type RecentPaths } from './recent-paths.js';

export interface WatcherOptions {
  root: string;
  /** Files always watched, whatever `isIgnored` says, also outside the root (an env file one level up). */
  extraPaths?: readonly string[];
  /** Decides what chokidar never looks at; directories it rejects are not walked at all. */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  onChange(change: FileChange): void;
  /** Something stirred at this path (a raw event, before the watcher looks at it), maybe the start of a change. */
  onActivity?(absolutePath: string): void;
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
  /** Per file just reported: its stamp then, and the timer that looks again after chokidar's throttle. */
  readonly #rechecks = new Map<string, { timer: NodeJS.Timeout; held: FileChangeKind | null }>();
  /** Per file reported changed: its stamp and content digest then. */
  readonly #reportedVersions = new Map<string, string>();
  #settleReady: () => void = () => {};
  #closing: Promise<void> | undefined;

  constructor(options: WatcherOptions) {
    const { root } = options;
    this.#options = options;
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

  close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    for (const timer of this.#settleTimers) clearTimeout(timer);
    for (const { timer } of this.#rechecks.values()) clearTimeout(timer);
    this.#rechecks.clear();
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

  #forward(reported: FileChangeKind) {
    return (file: string): void => {
      this.#recentNative.note(file, Date.now());
      // A new file held back while empty stays new when its content arrives.
      const kind = reported === 'change' && this.#rechecks.get(file)?.held === 'add' ? 'add' : reported;
      if (kind !== 'unlink') {
        const stamp = stampOf(file);
        // Empty: most likely caught between an editor's truncate and its write; it counts once settled.
        const empty = stamp?.size === 0;
        this.#recheckLater(file, stamp, empty ? kind : null);
        if (empty) return;
        // The same write seen twice (a poll caught it half done, a file's and its directory's watch):
        // the file is exactly as when it was last reported. A touch changes its time, so it counts.
        const version = stamp && versionOf(file, stamp);
        if (kind === 'change' && version !== null && this.#reportedVersions.get(file) === version) {
          this.#options.logger.debug(`${path.relative(this.#options.root, file) || file} is exactly as when it last changed: not a change`);
          return;
        }
        if (version) this.#reportedVersions.set(file, version);
      } else {
        this.#reportedVersions.delete(file);
      }
      this.#options.onChange({ kind, path: file });
    };
  }

  /**
   * chokidar drops a second change to a file within ~50 ms of the first (its throttle): a save made
   * right after another would be lost, the program left running the first. One stat after the
   * throttle window tells; a change seen then is reported like any other. A change held back
   * because the file was empty (`held`) is reported then, whatever the file holds.
   */
  #recheckLater(file: string, stamp: Stamp | null, held: FileChangeKind | null): void {
    const previous = this.#rechecks.get(file);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => {
      this.#rechecks.delete(file);
      if (this.#closed) return;
      const now = stampOf(file);
      // Gone since: its unlink is chokidar's to report.
      if (now === null) return;
      if (held) {
        this.#recheckLater(file, now, null);
        const version = versionOf(file, now);
        if (version) this.#reportedVersions.set(file, version);
        this.#options.onChange({ kind: held, path: file });
      } else if (now.key !== stamp?.key) {
        this.#forward('change')(file);
      }
    }, RECHECK_AFTER_MS);
    timer.unref();
    this.#rechecks.set(file, { timer, held });
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

/** Past chokidar's per-file change throttle (50 ms in chokidar 5). */
const RECHECK_AFTER_MS = 75;

interface Stamp {
  /** What tells two versions of a file apart without reading it. */
  key: string;
  size: number;
  mtimeMs: number;
}

/** The file's stamp, or null when it is gone. */
function stampOf(file: string): Stamp | null {
  try {
    const stats = statSync(file);
    return { key: `${stats.mtimeMs}:${stats.size}:${stats.ino}`, size: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    // Gone: its unlink is chokidar's to report.
    return null;
  }
}

/** Files up to this size are told apart by their content too, not only by time, size and inode. */
const DIGEST_MAX_BYTES = 1024 * 1024;

/**
 * What tells one version of a file from another: its stamp, and for a file of ordinary size a digest
 * of its content (a file system with coarse times gives two quick saves of one size the same stamp).
 * Null when it cannot be read.
 */
function versionOf(file: string, stamp: Stamp): string | null {
  if (stamp.size > DIGEST_MAX_BYTES) return stamp.key;
  try {
    // Times to the millisecond: with the content compared, finer would only tell a time set back apart.
    return `${Math.floor(stamp.mtimeMs)}:${stamp.size}:${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
  } catch {
    // Gone or unreadable meanwhile: not a duplicate of anything.
    return null;
  }
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
