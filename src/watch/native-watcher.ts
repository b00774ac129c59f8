import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Watcher, WatcherBackend, WatcherOptions } from './backend.js';
import { createChangeGate, type ChangeGate } from './change-gate.js';
import { createOutsideFiles, type OutsideFiles } from './outside-files.js';
import { TreeIndex } from './tree-index.js';

/** The part of @parcel/watcher hot uses. */
interface NativeEvent {
  type: 'create' | 'update' | 'delete';
  path: string;
}
interface NativeSubscription {
  unsubscribe(): Promise<void>;
}
interface NativeModule {
  subscribe(dir: string, callback: (error: Error | null, events: NativeEvent[]) => void, options: { ignore: string[] }): Promise<NativeSubscription>;
}

let loaded: { module: NativeModule } | { error: string } | undefined;

function nativeModule(): { module: NativeModule } | { error: string } {
  if (process.env.HOT_TEST_NATIVE_WATCHER === 'missing') return { error: 'HOT_TEST_NATIVE_WATCHER=missing' };
  loaded ??= (() => {
    try {
      return { module: createRequire(import.meta.url)('@parcel/watcher') as NativeModule };
    } catch (error) {
      // No prebuilt binary for this platform, or a libc it was not built for.
      return { error: (error as Error).message.split('\n')[0] ?? String(error) };
    }
  })();
  return loaded;
}

/** Why the native watcher cannot be used here, or null when it can. */
export function nativeWatcherUnavailable(): string | null {
  const found = nativeModule();
  return 'error' in found ? found.error : null;
}

/**
 * @parcel/watcher on one root: one inotify watch per directory, the walk and the ignore rules of
 * directories applied in native code, events batched there. `ready` rejects when it cannot start
 * (out of inotify watches): the caller then falls back to chokidar.
 */
export function createNativeWatcher(options: WatcherOptions): Watcher {
  return new NativeWatcher(options);
}

/** The native side delivers an event at once when none came for this long (its MAX_WAIT_TIME), else after 50 ms of quiet. */
const NATIVE_IMMEDIATE_AFTER_MS = 500;
/** When the files next to a lone first change are looked at: before a single change's quiet (10 ms) ends. */
const PEEK_AFTER_MS = 4;
/** Files written this long before the first change arrived count as the same burst. */
const PEEK_WINDOW_MS = 100;
/** A directory of more files is looked at only in part. */
const PEEK_MAX_FILES = 200;

class NativeWatcher implements Watcher {
  readonly ready: Promise<void>;
  readonly backend: WatcherBackend = 'native';
  #options: WatcherOptions;
  readonly #module: NativeModule;
  readonly #root: string;
  readonly #gate: ChangeGate;
  #index: TreeIndex;
  #extra: ReadonlySet<string>;
  /** Subscriptions by the directory whose events they report: the root, and the targets of symlinked directories. */
  readonly #subscriptions = new Map<string, { target: string; subscription: Promise<NativeSubscription> }>();
  /** Subscriptions being dropped, by directory. */
  readonly #leaving = new Map<string, Promise<void>>();
  readonly #errorsSaid = new Set<string>();
  #outside: OutsideFiles | null = null;
  #lastEventsAt = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: WatcherOptions) {
    const found = nativeModule();
    if ('error' in found) throw new Error(`the native watcher is not available: ${found.error}`);
    this.#module = found.module;
    this.#options = options;
    this.#root = path.resolve(options.root);
    this.#gate = createChangeGate({ root: this.#root, onChange: options.onChange, logger: options.logger });
    this.#extra = new Set(options.extraPaths ?? []);
    this.#index = this.#newIndex(options);
    this.ready = this.#start();
  }

  /**
   * New rules: the tree is walked again by them. Directories the old rules skipped get
   * subscriptions of their own (the root's native tree is not walked again); directories the new
   * rules skip are dropped from the index, and their events from then on.
   */
  async refresh(options: WatcherOptions): Promise<boolean> {
    if (options.poll === true || this.#closed) return false;
    await this.ready;
    const previous = this.#index;
    this.#options = options;
    this.#extra = new Set(options.extraPaths ?? []);
    const index = this.#newIndex(options);
    const findings = await index.scan(this.#root, { listFiles: false });
    if (this.#closed) return true;
    this.#index = index;
    for (const dir of index.directories()) {
      if (dir !== this.#root && !previous.hasDirectory(dir) && previous.hasDirectory(path.dirname(dir))) this.#follow(dir, dir);
    }
    for (const [link, target] of findings.links) this.#follow(link, target);
    this.#outside?.close();
    this.#outside = this.#watchOutside();
    return true;
  }

  #newIndex(options: WatcherOptions): TreeIndex {
    return new TreeIndex((file, isDirectory) => !this.#extra.has(file) && options.isIgnored(file, isDirectory));
  }

  #watchOutside(): OutsideFiles {
    return createOutsideFiles({
      files: [...this.#extra].filter((file) => !this.#covers(file)),
      onActivity: (file) => this.#options.onActivity?.(file),
      onChange: (kind, file) => this.#gate.report(kind, file),
    });
  }

  watchedFileCount(): number {
    return this.#index.fileCount + (this.#outside?.count ?? 0);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#gate.close();
    this.#closing ??= (async () => {
      await Promise.all(this.#leaving.values());
      this.#outside?.close();
      const all = [...this.#subscriptions.values()];
      this.#subscriptions.clear();
      await Promise.allSettled(all.map(async ({ subscription }) => (await subscription).unsubscribe()));
    })();
    return this.#closing;
  }

  async #start(): Promise<void> {
    simulateWatchLimit();
    const findings = await this.#index.scan(this.#root, { listFiles: false });
    if (this.#closed) return;
    this.#subscriptions.set(this.#root, { target: this.#root, subscription: this.#subscribe(this.#root, this.#root) });
    for (const [link, target] of findings.links) this.#follow(link, target);
    this.#outside = this.#watchOutside();
    await Promise.all([...this.#subscriptions.values()].map(({ subscription }) => subscription));
  }

  /** Whether a path lies where the root's subscription sees it: under the root, in no skipped directory. */
  #covers(file: string): boolean {
    if (file !== this.#root && !file.startsWith(this.#root + path.sep)) return false;
    for (let dir = path.dirname(file); dir.length >= this.#root.length; dir = path.dirname(dir)) {
      if (this.#index.isPruned(dir)) return false;
      if (dir === this.#root) break;
    }
    return true;
  }

  #subscribe(dir: string, target: string): Promise<NativeSubscription> {
    const onEvents = (error: Error | null, events: NativeEvent[]): void => {
      if (error) return this.#sayError(error);
      // Events under a symlinked directory's target are reported at the path the link gives them.
      this.#onEvents(dir === target ? events : events.map((event) => ({ type: event.type, path: dir + event.path.slice(target.length) })));
    };
    return this.#module.subscribe(target, onEvents, { ignore: this.#ignoreRules(dir, target) }).catch((error: unknown) => {
      // The native side says ENOSPC only in words.
      if (/no space left on device/i.test(String((error as Error).message))) Object.assign(error as Error, { code: 'ENOSPC' });
      throw error;
    });
  }

  /**
   * Skipped directories as the native walk takes them: by path, each one the walk found. (A glob
   * costs the native walk a regular expression per path, a third of its time on a large tree.)
   */
  #ignoreRules(dir: string, target: string): string[] {
    const paths: string[] = [];
    for (const pruned of this.#index.prunedDirectories) {
      if (pruned === dir || pruned.startsWith(dir + path.sep)) paths.push(target + pruned.slice(dir.length));
    }
    return paths;
  }

  /** Events under `dir` also come from a subscription of its own, on `target` (the directory behind a link, or itself). */
  #follow(dir: string, target: string): void {
    if (this.#subscriptions.has(dir)) return;
    const leaving = this.#leaving.get(dir);
    this.#leaving.delete(dir);
    const subscription = (leaving ?? Promise.resolve()).then(() => this.#subscribe(dir, target));
    subscription.catch((error: unknown) => this.#sayError(error as Error));
    this.#subscriptions.set(dir, { target, subscription });
  }

  #onEvents(events: NativeEvent[]): void {
    if (this.#closed) return;
    const arrivedAt = Date.now();
    const afterIdle = arrivedAt - this.#lastEventsAt > NATIVE_IMMEDIATE_AFTER_MS;
    this.#lastEventsAt = arrivedAt;
    const { onActivity } = this.#options;
    if (onActivity) {
      for (const event of events) onActivity(event.path);
      if (afterIdle && events.length === 1) this.#peekSoon(events[0]!.path, arrivedAt, onActivity);
    }
    for (const event of events) this.#onEvent(event);
  }

  /**
   * After quiet, the native side delivers the first event at once and the rest of a burst (a
   * checkout, a formatter) 50 ms after the burst ends. A lone first change may thus be the start of
   * a burst: a few milliseconds on, the files next to it (new ones too) are looked at, and those
   * written since just before it stir, as they would under a watcher that reports each event as it comes.
   */
  #peekSoon(file: string, arrivedAt: number, onActivity: (file: string) => void): void {
    const timer = setTimeout(() => {
      if (this.#closed) return;
      const dir = path.dirname(file);
      let looked = 0;
      for (const name of namesIn(dir)) {
        if (++looked > PEEK_MAX_FILES) break;
        const sibling = path.join(dir, name);
        if (sibling === file) continue;
        const modifiedAt = statOrNull(sibling)?.mtimeMs;
        if (modifiedAt !== undefined && modifiedAt >= arrivedAt - PEEK_WINDOW_MS) onActivity(sibling);
      }
    }, PEEK_AFTER_MS);
    timer.unref();
  }

  #onEvent({ type, path: file }: NativeEvent): void {
    if (!this.#covers(file) && !this.#extra.has(file)) return;
    const stats = type === 'delete' ? null : statOrNull(file);
    if (type === 'delete' || stats === null) return this.#onGone(file);
    if (stats.isDirectory()) {
      if (type === 'create') this.#onDirectoryAppeared(file);
      return;
    }
    if (!this.#extra.has(file) && this.#options.isIgnored(file, false)) return;
    // An atomic save (a file renamed over the original) arrives as a new file: it is a change of a known one.
    this.#gate.report(this.#index.addFile(file) ? 'add' : 'change', file);
  }

  /** A path went: a file, or a directory with every file known under it. A path there again (vim's backup dance) changed. */
  #onGone(file: string): void {
    if (lstatOrNull(file) !== null) {
      if (this.#index.hasFile(file)) this.#gate.report('change', file);
      return;
    }
    if (this.#index.removeFile(file)) this.#gate.report('unlink', file);
    if (!this.#index.hasDirectory(file)) return;
    for (const gone of this.#index.removeTree(file)) this.#gate.report('unlink', gone);
    for (const [dir, { subscription }] of this.#subscriptions) {
      if (dir === this.#root || (dir !== file && !dir.startsWith(file + path.sep))) continue;
      this.#subscriptions.delete(dir);
      // The native side keeps one tree per directory while any subscription holds it: a directory
      // made again at this path must wait for this one to be gone, or it would get the stale tree.
      this.#leaving.set(dir, subscription.then((found) => found.unsubscribe()).catch(() => undefined));
    }
  }

  /**
   * The native watcher watches a new directory itself, but not the directories already inside it
   * (moved in, or made faster than it looked), and it never walks its tree again. The new
   * directory's files are found by walking it; when it holds directories, it gets a subscription of
   * its own, and is walked once more when that is up, for what appeared in between.
   */
  #onDirectoryAppeared(dir: string): void {
    if (this.#options.isIgnored(dir, true)) {
      // Events from inside it are dropped from now on (the native side may watch it: it skips only what it was given at the start).
      this.#index.prune(dir);
      return;
    }
    void this.#index.scan(dir).then(async (findings) => {
      if (this.#closed) return;
      for (const file of findings.files) this.#gate.report('add', file);
      for (const [link, target] of findings.links) this.#follow(link, target);
      if (lstatOrNull(dir)?.isSymbolicLink()) return this.#follow(dir, realTarget(dir));
      if (findings.subdirectories === 0 || this.#subscriptions.has(dir)) return;
      this.#follow(dir, dir);
      await this.#subscriptions.get(dir)?.subscription;
      if (this.#closed || statOrNull(dir)?.isDirectory() !== true) return;
      for (const file of (await this.#index.scan(dir)).files) this.#gate.report('add', file);
    }).catch((error: unknown) => this.#sayError(error as Error));
  }

  #sayError(error: Error): void {
    const message = error.message ?? String(error);
    if (this.#errorsSaid.has(message)) return;
    this.#errorsSaid.add(message);
    this.#options.logger.warn(`watcher error: ${message}`);
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    // Gone between the event and this look: its delete follows.
    return null;
  }
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // Gone: nothing next to the change.
    return [];
  }
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    // Gone.
    return null;
  }
}

function realTarget(link: string): string {
  try {
    return realpathSync(link);
  } catch {
    // Gone again: its subscription fails and is said once.
    return link;
  }
}

/**
 * Test-only: the tests cannot lower the system's inotify limit. With HOT_TEST_ENOSPC set, the native
 * watcher fails to start as it does at the limit, and chokidar (which then simulates the rest) takes over.
 */
function simulateWatchLimit(): void {
  if (!process.env.HOT_TEST_ENOSPC) return;
  throw Object.assign(new Error("inotify_add_watch failed: No space left on device"), { code: 'ENOSPC' });
}
