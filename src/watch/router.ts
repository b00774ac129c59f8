import type { ChangeBatch, FileChange } from '../events.js';
import type { Logger } from '../ui/logger.js';
import { BURST_QUIET_MS, createBatcher, type Batcher } from './batch.js';
import { createSharedWatcher, type SharedWatcher } from './shared-watcher.js';
import type { Watcher } from './watcher.js';

export interface RouterOptions {
  /** The one directory the watcher walks: an app's root, or a repository's. */
  root: string;
  /** What no subscription ever needs (dependencies, VCS data, folders outside every package). */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  poll: boolean;
  pollIntervalMs: number;
  /** Out of inotify watches: the router now polls everything; called once its new scan is ready. */
  onPolling?(files: number): void;
  logger: Logger;
}

export interface SubscriptionSpec {
  root: string;
  /** Files always watched, whatever `isIgnored` says, also outside the root (an env file one level up). */
  extraPaths: readonly string[];
  /** What this subscriber never wants walked or reported. */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  /** Per change, before batching: whether it belongs in a batch. */
  accept(change: FileChange): boolean;
  /**
   * Whether a path, when it stirs (a raw event), may be the start of a change this subscription takes:
   * a cheap check with no side effects. Without it, raw events are not looked at.
   */
  wants?(absolutePath: string): boolean;
  /** Quiet after the last change before the batch is delivered. */
  delayMs: number;
  onBatch(batch: ChangeBatch): void;
  /** Changes are being collected (true), or no longer (false, after their batch was delivered). */
  onPending?(pending: boolean): void;
}

export interface Subscription {
  /** Resolves once the watcher has walked this subscription's tree. */
  readonly ready: Promise<void>;
  /** New settings (a config reload): the new walk is up before the old one is dropped, pending changes carry over. */
  update(spec: SubscriptionSpec): Promise<void>;
  close(): Promise<void>;
}

export interface Router {
  subscribe(spec: SubscriptionSpec): Subscription;
  /** Starts the first walk, once the first subscriptions are in. */
  start(): void;
  readonly ready: Promise<void>;
  readonly polling: boolean;
  watchedFileCount(): number;
  close(): Promise<void>;
}

/** Polling finds the files of a burst up to one interval apart: its bursts wait two intervals of quiet. */
function burstQuietMs(polling: boolean, pollIntervalMs: number): number {
  return polling ? Math.max(BURST_QUIET_MS, 2 * pollIntervalMs) : BURST_QUIET_MS;
}

/**
 * Polling finds the files of one burst a little apart (each file has its own stat timer): a single
 * file waits at least this long there, to see whether others follow.
 */
const POLLING_SETTLE_MS = 50;

/**
 * One watcher per hot process, many subscriptions: a single app is one, a monorepo one per package
 * plus its own. Each subscription has its own filter and its own batching (`delay`, bursts).
 */
export function createRouter(options: RouterOptions): Router {
  return new WatchRouter(options);
}

interface Entry {
  spec: SubscriptionSpec;
  batcher: Batcher;
}

class WatchRouter implements Router {
  readonly #options: RouterOptions;
  #polling: boolean;
  readonly #entries = new Set<Entry>();
  readonly #shared: SharedWatcher;

  constructor(options: RouterOptions) {
    this.#options = options;
    this.#polling = options.poll;
    this.#shared = createSharedWatcher({
      root: options.root,
      isIgnored: options.isIgnored,
      poll: options.poll,
      pollIntervalMs: options.pollIntervalMs,
      logger: options.logger,
      onPolling: () => this.#switchToPolling(),
    });
  }

  get ready(): Promise<void> {
    return this.#shared.ready;
  }

  get polling(): boolean {
    return this.#polling;
  }

  start(): void {
    this.#shared.start();
  }

  watchedFileCount(): number {
    return this.#shared.watchedFileCount();
  }

  async close(): Promise<void> {
    for (const entry of this.#entries) entry.batcher.close();
    await this.#shared.close();
  }

  subscribe(spec: SubscriptionSpec): Subscription {
    const entry: Entry = { spec, batcher: this.#batcher(spec, null) };
    this.#entries.add(entry);
    let watcher = this.#view(entry);
    let closing: Promise<void> | undefined;
    return {
      get ready() {
        return watcher.ready;
      },
      update: async (next) => {
        const previous = watcher;
        entry.spec = next;
        entry.batcher = this.#batcher(next, entry.batcher);
        watcher = this.#view(entry);
        await watcher.ready;
        await previous.close();
      },
      close: () => {
        closing ??= (async () => {
          this.#entries.delete(entry);
          entry.batcher.close();
          await watcher.close();
        })();
        return closing;
      },
    };
  }

  /** Bursts found by polling need a longer quiet: the batchers are replaced, pending changes kept. */
  #switchToPolling(): void {
    this.#polling = true;
    for (const entry of this.#entries) entry.batcher = this.#batcher(entry.spec, entry.batcher);
    this.#options.onPolling?.(this.#shared.watchedFileCount());
  }

  #batcher(spec: SubscriptionSpec, previous: Batcher | null): Batcher {
    const delayMs = this.#polling ? Math.max(spec.delayMs, POLLING_SETTLE_MS) : spec.delayMs;
    const batcher = createBatcher(delayMs, (batch) => spec.onBatch(batch), {
      burstQuietMs: burstQuietMs(this.#polling, this.#options.pollIntervalMs),
      onPending: (pending) => spec.onPending?.(pending),
    });
    for (const file of previous?.takePending() ?? []) batcher.add(file);
    previous?.close();
    return batcher;
  }

  #view(entry: Entry): Watcher {
    return this.#shared.view({
      root: entry.spec.root,
      extraPaths: entry.spec.extraPaths,
      isIgnored: (file, isDirectory) => entry.spec.isIgnored(file, isDirectory),
      onChange: (change) => {
        if (entry.spec.accept(change)) entry.batcher.add(change.path, change.kind);
      },
      onActivity: (file) => {
        if (entry.spec.wants?.(file)) entry.batcher.stir(file);
      },
      logger: this.#options.logger,
    });
  }
}
