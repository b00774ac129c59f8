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
  return new RepositoryWatcher(options);
}

class RepositoryWatcher implements SharedWatcher {
  readonly #options: SharedWatcherOptions;
  readonly #views = new Set<View>();
  /** Views by root, so finding the ones over a path costs a lookup per ancestor, not one per view. */
  readonly #byRoot = new Map<string, Set<View>>();
  readonly #extraPathViews = new Map<string, Set<View>>();
  #current: Watcher | null = null;
  #started = false;
  #closed = false;
  #poll: boolean;
  #rescan: Promise<void> | null = null;
  #settleFirstReady: () => void = () => {};
  readonly #firstReady = new Promise<void>((resolve) => (this.#settleFirstReady = resolve));

  constructor(options: SharedWatcherOptions) {
    this.#options = options;
    this.#poll = options.poll;
  }

  view(viewOptions: WatcherOptions): Watcher {
    const view: View = { root: path.resolve(viewOptions.root), extraPaths: new Set(viewOptions.extraPaths ?? []), options: viewOptions };
    this.#views.add(view);
    if (!this.#byRoot.has(view.root)) this.#byRoot.set(view.root, new Set());
    this.#byRoot.get(view.root)!.add(view);
    for (const file of view.extraPaths) {
      if (!this.#extraPathViews.has(file)) this.#extraPathViews.set(file, new Set());
      this.#extraPathViews.get(file)!.add(view);
    }
    const ready = this.#started ? this.#scheduleRescan() : this.#firstReady;
    let closing: Promise<void> | undefined;
    return {
      ready,
      refresh: () => Promise.resolve(false),
      watchedFileCount: () => this.#current?.watchedFileCount() ?? 0,
      close: () => {
        closing ??= Promise.resolve().then(() => this.#forget(view));
        return closing;
      },
    };
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#current = this.#open();
    void this.#current.ready.then(() => this.#settleFirstReady());
  }

  get ready(): Promise<void> {
    return this.#firstReady;
  }

  watchedFileCount(): number {
    return this.#current?.watchedFileCount() ?? 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#settleFirstReady();
    await this.#current?.close();
  }

  #forget(view: View): void {
    this.#views.delete(view);
    this.#byRoot.get(view.root)?.delete(view);
    for (const file of view.extraPaths) {
      const holders = this.#extraPathViews.get(file);
      holders?.delete(view);
      if (holders?.size === 0) this.#extraPathViews.delete(file);
    }
  }

  /** The views whose root is `file` or one of its ancestors. */
  #viewsOver(file: string): View[] {
    const found: View[] = [];
    for (let dir = file; ; dir = path.dirname(dir)) {
      for (const view of this.#byRoot.get(dir) ?? []) found.push(view);
      if (path.dirname(dir) === dir) return found;
    }
  }

  #isIgnored(file: string, isDirectory?: boolean): boolean {
    if (this.#extraPathViews.has(file)) return false;
    const over = this.#viewsOver(file);
    if (over.length > 0 && over.every((view) => view.options.isIgnored(file, isDirectory))) return true;
    return this.#options.isIgnored(file, isDirectory);
  }

  /** The views that want a file: it is one of their extra paths, or under their root and not ignored. */
  #viewsWanting(file: string): View[] {
    const candidates = new Set([...(this.#extraPathViews.get(file) ?? []), ...this.#viewsOver(file)]);
    return [...candidates].filter((view) => view.extraPaths.has(file) || !view.options.isIgnored(file, false));
  }

  #route(change: FileChange): void {
    const views = this.#viewsWanting(change.path);
    for (const view of views) view.options.onChange(change);
    this.#options.onChange?.(change, views.length > 0);
  }

  #stir(file: string): void {
    for (const view of this.#viewsWanting(file)) view.options.onActivity?.(file);
  }

  #open(): Watcher {
    return createWatcher(this.#watcherOptions());
  }

  #watcherOptions(): WatcherOptions {
    const { root } = this.#options;
    return {
      root,
      // All of them: the backend watches those outside the root, or inside in a skipped directory, on their own.
      extraPaths: [...new Set([...this.#views].flatMap((view) => [...view.extraPaths]))],
      isIgnored: (file, isDirectory) => this.#isIgnored(file, isDirectory),
      onChange: (change) => this.#route(change),
      onActivity: (file) => this.#stir(file),
      poll: this.#poll,
      pollIntervalMs: this.#options.pollIntervalMs,
      onWatchLimit: () => this.#switchToPolling(),
      logger: this.#options.logger,
    };
  }

  #switchToPolling(): void {
    if (this.#poll) return;
    this.#poll = true;
    void this.#scheduleRescan().then(() => {
      if (!this.#closed) this.#options.onPolling?.();
    });
  }

  /** A new walk (new views, or polling from now on): the new instance is up before the old one goes. */
  #scheduleRescan(): Promise<void> {
    this.#rescan ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.#rescan = null;
      if (this.#closed) return;
      const previous = this.#current;
      if (previous && (await previous.refresh(this.#watcherOptions()))) return;
      const next = this.#open();
      this.#current = next;
      await next.ready;
      await previous?.close();
    });
    return this.#rescan;
  }
}
