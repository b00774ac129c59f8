import type { ChangeBatch, FileChange } from '../events.js';
import type { Logger } from '../ui/logger.js';
import { BURST_QUIET_MS, createBatcher, type Batcher } from './batch.js';
import { createSharedWatcher } from './shared-watcher.js';
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
  /** Quiet after the last change before the batch is delivered. */
  delayMs: number;
  onBatch(batch: ChangeBatch): void;
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
 * One watcher per hot process, many subscriptions: a single app is one, a monorepo one per package
 * plus its own. Each subscription has its own filter and its own batching (`delay`, bursts).
 */
export function createRouter(options: RouterOptions): Router {
  let polling = options.poll;
  const subscriptions = new Set<{ spec: SubscriptionSpec; batcher: Batcher }>();
  const shared = createSharedWatcher({
    root: options.root,
    isIgnored: options.isIgnored,
    poll: options.poll,
    pollIntervalMs: options.pollIntervalMs,
    logger: options.logger,
    onPolling: () => {
      polling = true;
      // Bursts found by polling need a longer quiet: the batchers are replaced, pending changes kept.
      for (const entry of subscriptions) entry.batcher = rebatch(entry.spec, entry.batcher);
      options.onPolling?.(shared.watchedFileCount());
    },
  });

  const rebatch = (spec: SubscriptionSpec, previous: Batcher | null): Batcher => {
    const batcher = createBatcher(spec.delayMs, (batch) => spec.onBatch(batch), burstQuietMs(polling, options.pollIntervalMs));
    for (const file of previous?.takePending() ?? []) batcher.add(file);
    previous?.close();
    return batcher;
  };

  const view = (entry: { spec: SubscriptionSpec; batcher: Batcher }): Watcher =>
    shared.view({
      root: entry.spec.root,
      extraPaths: entry.spec.extraPaths,
      isIgnored: (file, isDirectory) => entry.spec.isIgnored(file, isDirectory),
      onChange: (change) => {
        if (entry.spec.accept(change)) entry.batcher.add(change.path);
      },
      logger: options.logger,
    });

  return {
    subscribe(spec) {
      const entry = { spec, batcher: rebatch(spec, null) };
      subscriptions.add(entry);
      let watcher = view(entry);
      let closing: Promise<void> | undefined;
      return {
        get ready() {
          return watcher.ready;
        },
        async update(next) {
          const previousWatcher = watcher;
          entry.spec = next;
          entry.batcher = rebatch(next, entry.batcher);
          watcher = view(entry);
          await watcher.ready;
          await previousWatcher.close();
        },
        close() {
          closing ??= (async () => {
            subscriptions.delete(entry);
            entry.batcher.close();
            await watcher.close();
          })();
          return closing;
        },
      };
    },
    start: () => shared.start(),
    get ready() {
      return shared.ready;
    },
    get polling() {
      return polling;
    },
    watchedFileCount: () => shared.watchedFileCount(),
    async close() {
      for (const entry of subscriptions) entry.batcher.close();
      await shared.close();
    },
  };
}
