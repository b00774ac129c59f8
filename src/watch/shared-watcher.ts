import path from 'node:path';
import type { FileChange } from '../events.js';
import type { Logger } from '../ui/logger.js';
import { createWatcher, type Watcher, type WatcherOptions } from './watcher.js';

export interface SharedWatcherOptions {
  /** The repository root: the one directory chokidar walks. */
  root: string;
  /** Repository-wide pruning (dependencies, VCS data, folders outside every package). */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  /** Every change after it went to the views that want it; `claimed` says whether any did. */
  onChange?(change: FileChange, claimed: boolean): void;
  poll: boolean;
  pollIntervalMs: number;
  /** Out of inotify watches: from now on everything is polled; called once the new walk is ready. */
  onPolling?(): void;
  logger: Logger;
}

/**
 * One chokidar instance for a whole repository, seen by each package as its own Watcher (a view
 * with the package's root and ignore rules). A path is walked when some view under whose root it lies
 * wants it; each change goes to exactly the views that want it.
 */
export interface SharedWatcher {
  /** A package's watcher. Views made after `start()` make the shared watcher walk the tree again. */
  view(options: WatcherOptions): Watcher;
  start(): void;
  readonly ready: Promise<void>;
  watchedFileCount(): number;
  close(): Promise<void>;
}

interface View {
  root: string;
  extraPaths: ReadonlySet<string>;
  options: WatcherOptions;
}

export function createSharedWatcher(options: SharedWatcherOptions): SharedWatcher {
  const views = new Set<View>();
  /** Views by root, so finding the ones over a path costs a lookup per ancestor, not one per view. */
  const byRoot = new Map<string, Set<View>>();
  const extraPathViews = new Map<string, Set<View>>();
  let current: Watcher | null = null;
  let started = false;
  let closed = false;
  let poll = options.poll;
  let rescan: Promise<void> | null = null;
  let settleFirstReady: () => void = () => {};
  const firstReady = new Promise<void>((resolve) => (settleFirstReady = resolve));

  const contains = (root: string, file: string): boolean => file === root || file.startsWith(root + path.sep);

  /** The views whose root is `file` or one of its ancestors. */
  const viewsOver = (file: string): View[] => {
    const found: View[] = [];
    for (let dir = file; ; dir = path.dirname(dir)) {
      for (const view of byRoot.get(dir) ?? []) found.push(view);
      if (path.dirname(dir) === dir) return found;
    }
  };

  const isIgnored = (file: string, isDirectory?: boolean): boolean => {
    if (extraPathViews.has(file)) return false;
    const over = viewsOver(file);
    if (over.length > 0 && over.every((view) => view.options.isIgnored(file, isDirectory))) return true;
    return options.isIgnored(file, isDirectory);
  };

  const route = (change: FileChange): void => {
    let claimed = false;
    const candidates = new Set([...(extraPathViews.get(change.path) ?? []), ...viewsOver(change.path)]);
    for (const view of candidates) {
      const mine = view.extraPaths.has(change.path) || !view.options.isIgnored(change.path, false);
      if (!mine) continue;
      claimed = true;
      view.options.onChange(change);
    }
    options.onChange?.(change, claimed);
  };

  const open = (): Watcher =>
    createWatcher({
      root: options.root,
      extraPaths: [...new Set([...views].flatMap((view) => [...view.extraPaths]))].filter((file) => !contains(options.root, file)),
      isIgnored,
      onChange: route,
      poll,
      pollIntervalMs: options.pollIntervalMs,
      onWatchLimit: () => {
        if (poll) return;
        poll = true;
        void scheduleRescan().then(() => {
          if (!closed) options.onPolling?.();
        });
      },
      logger: options.logger,
    });

  /** A new walk (new views, or polling from now on): the new instance is up before the old one goes. */
  const scheduleRescan = (): Promise<void> => {
    rescan ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      rescan = null;
      if (closed) return;
      const previous = current;
      const next = open();
      current = next;
      await next.ready;
      await previous?.close();
    });
    return rescan;
  };

  return {
    view(viewOptions) {
      const view: View = { root: path.resolve(viewOptions.root), extraPaths: new Set(viewOptions.extraPaths ?? []), options: viewOptions };
      views.add(view);
      if (!byRoot.has(view.root)) byRoot.set(view.root, new Set());
      byRoot.get(view.root)!.add(view);
      for (const file of view.extraPaths) {
        if (!extraPathViews.has(file)) extraPathViews.set(file, new Set());
        extraPathViews.get(file)!.add(view);
      }
      const ready = started ? scheduleRescan() : firstReady;
      let closing: Promise<void> | undefined;
      return {
        ready,
        watchedFileCount: () => current?.watchedFileCount() ?? 0,
        close() {
          closing ??= Promise.resolve().then(() => {
            views.delete(view);
            byRoot.get(view.root)?.delete(view);
            for (const file of view.extraPaths) {
              const holders = extraPathViews.get(file);
              holders?.delete(view);
              if (holders?.size === 0) extraPathViews.delete(file);
            }
          });
          return closing;
        },
      };
    },
    start() {
      if (started || closed) return;
      started = true;
      current = open();
      void current.ready.then(() => settleFirstReady());
    },
    get ready() {
      return firstReady;
    },
    watchedFileCount: () => current?.watchedFileCount() ?? 0,
    async close() {
      closed = true;
      settleFirstReady();
      await current?.close();
    },
  };
}
