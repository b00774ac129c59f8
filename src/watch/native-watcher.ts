import { createRequire } from 'node:module';
import path from 'node:path';
import type { Watcher, WatcherOptions } from './backend.js';
import { createChangeGate, type ChangeGate } from './change-gate.js';
import { lstatOrNull, namesIn, realpathOrNull, statOrNull } from './fs-probe.js';
import { createLookAgain, type LookAgain } from './look-again.js';
import { createOutsideFiles, type OutsideFiles } from './outside-files.js';
import { TreeIndex, type ScanFindings } from './tree-index.js';

/** The part of @parcel/watcher hot uses. */
interface NativeEvent {
  type: 'create' | 'update' | 'delete';
  path: string;
}
interface NativeSubscription {
  unsubscribe(): Promise<void>;
}
interface NativeModule {
  subscribe(dir: string, callback: (error: Error | null, events: NativeEvent[]) => void, options: { ignore: string[]; backend?: 'inotify' }): Promise<NativeSubscription>;
}

/**
 * On Linux, inotify by name: left to choose, the module first asks whether watchman runs, by
 * starting `sh -c "watchman …"` at every start (a process hot does not need; ~1–2 ms of its own).
 */
const BACKEND = process.platform === 'linux' ? { backend: 'inotify' as const } : {};

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
/** When the files next to a lone first change are looked at: before a changed file's quiet (10 ms) ends, and a new file's (50 ms). */
const PEEK_AFTER_MS = [4, 20, 40];
/** Files written this long before the first change arrived count as the same burst. */
const PEEK_WINDOW_MS = 100;
/** At most this many files of a tree being removed stir, per look. */
const GONE_TREE_STIRS = 8;
/** At most this many files are looked at, per look. */
const PEEK_MAX_FILES = 300;

class NativeWatcher implements Watcher {
  readonly ready: Promise<void>;
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
  /** When the root's subscription was up (until then, never). */
  #readyAt = Number.POSITIVE_INFINITY;
  readonly #lookAgain: LookAgain;
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
    this.#lookAgain = createLookAgain({
      index: () => this.#index,
      since: () => this.#readyAt,
      isIgnored: (file, isDirectory) => this.#skips(file, isDirectory),
      report: (kind, file) => {
        if (kind === 'unlink') this.#index.removeFile(file);
        else this.#index.addFile(file);
        this.#gate.report(kind, file);
      },
      isReported: (file) => this.#gate.isReported(file),
      onDirectory: (dir) => this.#onDirectoryAppeared(dir),
    });
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

  /** A path the rules skip (an always-watched file never is). */
  #skips(file: string, isDirectory?: boolean): boolean {
    return !this.#extra.has(file) && this.#options.isIgnored(file, isDirectory);
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
    this.#lookAgain.close();
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
    this.#readyAt = Date.now();
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
    return this.#module.subscribe(target, onEvents, { ignore: this.#ignoreRules(dir, target), ...BACKEND }).catch((error: unknown) => {
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
    const existing = this.#subscriptions.get(dir);
    if (existing?.target === target) return;
    // A link pointed elsewhere: the old target's subscription goes first.
    if (existing) this.#dropSubscriptionsUnder(dir);
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
      if (afterIdle && events.length === 1) this.#peekSoon(events[0]!, arrivedAt, onActivity);
    }
    for (const event of events) this.#onEvent(event);
    this.#lookAgain.after(this.#dirsToLookAgain(events), arrivedAt);
  }

  /**
   * The directories of a delivery, and their ancestors up to the root: an event the native side
   * lost (see look-again.ts) is one written just after the delivered ones, most often beside them
   * or above them (a file, then the module that imports it).
   */
  #dirsToLookAgain(events: NativeEvent[]): Set<string> {
    // The delivery's own first: a look covers a limited number of directories.
    const dirs = new Set(events.map((event) => path.dirname(event.path)));
    for (const delivered of [...dirs]) {
      for (let dir = delivered; dir !== this.#root && dir.startsWith(this.#root + path.sep); ) {
        dir = path.dirname(dir);
        if (dirs.has(dir)) break;
        dirs.add(dir);
      }
    }
    return dirs;
  }

  /**
   * After quiet, the native side delivers the first event at once and the rest of a burst (a
   * checkout, a formatter) 50 ms after the burst ends. A lone first change may thus be the start of
   * a burst: a few times within the first 50 ms, the files next to it, and those of the
   * directories next to its own that changed (a directory's time moves when a file is added to it),
   * are looked at; those written since just before it stir, as they would under a watcher that
   * reports each event as it comes. The first look that finds one ends the looking.
   *
   * A lone removal is often the first step of more: a file deleted and written again (a tool, an
   * editor's backup dance), whose new version arrives 50 ms after it was written, as late as a
   * removal's own settle ends; or a whole tree going, its directory already gone. Those stir at
   * every look, so the batch waits past the native side's next delivery.
   */
  #peekSoon(event: NativeEvent, arrivedAt: number, onActivity: (file: string) => void, attempt = 0): void {
    const timer = setTimeout(() => {
      if (this.#closed) return;
      const file = event.path;
      let found: boolean;
      if (event.type === 'delete' && statOrNull(file) !== null) {
        // Written again (it stirs at every look); the files next to it may be too (a checkout removes each file, then writes it).
        onActivity(file);
        this.#stirNeighbours(file, arrivedAt, onActivity);
        found = false;
      } else if (event.type === 'delete' && statOrNull(path.dirname(file)) === null) {
        this.#stirGoneTree(file, onActivity);
        found = false;
      } else {
        found = this.#stirNeighbours(file, arrivedAt, onActivity);
      }
      if (!found && attempt + 1 < PEEK_AFTER_MS.length) this.#peekSoon(event, arrivedAt, onActivity, attempt + 1);
    }, PEEK_AFTER_MS[attempt]! - (Date.now() - arrivedAt));
    timer.unref();
  }

  /** Stirs a few other files the index still knows under the highest directory gone above `file` (their removals are on the way). */
  #stirGoneTree(file: string, onActivity: (file: string) => void): void {
    let gone = path.dirname(file);
    while (path.dirname(gone) !== this.#root && gone.startsWith(this.#root + path.sep) && statOrNull(path.dirname(gone)) === null) gone = path.dirname(gone);
    let left = GONE_TREE_STIRS;
    for (const other of this.#index.filesUnder(gone)) {
      if (other === file) continue;
      onActivity(other);
      if (--left === 0) return;
    }
  }

  /** Stirs the files written since just before `file` changed, next to it and in the changed directories next to its own; true when one was. */
  #stirNeighbours(file: string, arrivedAt: number, onActivity: (file: string) => void): boolean {
    const since = arrivedAt - PEEK_WINDOW_MS;
    const budget = { left: PEEK_MAX_FILES };
    const dir = path.dirname(file);
    let found = stirRecent(dir, file, since, budget, onActivity);
    for (const sibling of found || dir === this.#root ? [] : namesIn(path.dirname(dir))) {
      const other = path.join(path.dirname(dir), sibling);
      if (other === dir || budget.left <= 0 || !((statOrNull(other)?.mtimeMs ?? 0) >= since)) continue;
      found = stirRecent(other, file, since, budget, onActivity) || found;
    }
    return found;
  }

  #onEvent({ type, path: file }: NativeEvent): void {
    if (!this.#covers(file) && !this.#extra.has(file)) return;
    const stats = type === 'delete' ? null : statOrNull(file);
    if (type === 'delete' || stats === null) return this.#onGone(file);
    if (stats.isDirectory()) {
      if (type === 'create') this.#onDirectoryAppeared(file);
      // A directory deleted and made again (or a link pointed elsewhere) comes as one update: what
      // it holds now is compared with what was known; a touch changes nothing there.
      else if (this.#index.hasDirectory(file)) this.#onDirectoryReplaced(file);
      return;
    }
    if (this.#skips(file, false)) return;
    // An atomic save (a file renamed over the original) arrives as a new file: it is a change of a known one.
    this.#gate.report(this.#index.addFile(file) ? 'add' : 'change', file);
  }

  /**
   * A path went: a file, or a directory with every file known under it. A path there again (vim's
   * backup dance) changed. A file the index does not know is still reported gone (it may have come
   * while the index was being walked again).
   */
  #onGone(file: string): void {
    const now = statOrNull(file);
    if (now !== null) {
      // A directory removed and another put at its path at once: what it holds is compared.
      if (now.isDirectory() && this.#index.hasDirectory(file)) this.#onDirectoryReplaced(file);
      else if (this.#index.hasFile(file)) this.#gate.report('change', file);
      return;
    }
    const known = this.#index.removeFile(file);
    if (!this.#index.hasDirectory(file)) {
      if (known || !this.#skips(file, false)) this.#gate.report('unlink', file);
      return;
    }
    for (const gone of this.#index.removeTree(file)) this.#gate.report('unlink', gone);
    this.#dropSubscriptionsUnder(file);
  }

  /** The files known under `dir` that are gone are reported gone, the new ones new; its subscriptions start again. */
  #onDirectoryReplaced(dir: string): void {
    const before = new Set(this.#index.removeTree(dir));
    void this.#index.scan(dir).then((findings) => {
      if (this.#closed) return;
      const found = new Set(findings.files);
      const gone = [...before].filter((file) => !found.has(file));
      const fresh = findings.files.filter((file) => !before.has(file));
      const retargeted = lstatOrNull(dir)?.isSymbolicLink() === true && this.#subscriptions.get(dir)?.target !== (realpathOrNull(dir) ?? dir);
      for (const file of gone) this.#gate.report('unlink', file);
      for (const file of fresh) this.#gate.report('add', file);
      // Another directory at this path: the old one's subscriptions watch nothing any more.
      if (gone.length > 0 || fresh.length > 0 || retargeted) this.#dropSubscriptionsUnder(dir);
      this.#followWhatCameWith(dir, findings);
    }).catch((error: unknown) => this.#sayError(error as Error));
  }

  /**
   * A directory that appeared (or was replaced) and was walked: the links in it, the directory
   * itself when it is a link, and the directories it came with, which the native side does not
   * watch, get subscriptions of their own.
   */
  #followWhatCameWith(dir: string, findings: ScanFindings): void {
    for (const [link, target] of findings.links) this.#follow(link, target);
    if (lstatOrNull(dir)?.isSymbolicLink()) this.#follow(dir, realpathOrNull(dir) ?? dir);
    else if (findings.subdirectories > 0) this.#follow(dir, dir);
  }

  #dropSubscriptionsUnder(dir: string): void {
    for (const [watched, { subscription }] of this.#subscriptions) {
      if (watched === this.#root || (watched !== dir && !watched.startsWith(dir + path.sep))) continue;
      this.#subscriptions.delete(watched);
      // The native side keeps one tree per directory while any subscription holds it: a directory
      // made again at this path must wait for this one to be gone, or it would get the stale tree.
      this.#leaving.set(watched, subscription.then((found) => found.unsubscribe()).catch(() => undefined));
    }
  }

  /**
   * The native watcher watches a new directory itself, but not the directories already inside it
   * (moved in, or made faster than it looked), and it never walks its tree again. The new
   * directory's files are found by walking it; when it holds directories, it gets a subscription of
   * its own, and is walked once more when that is up, for what appeared in between.
   */
  #onDirectoryAppeared(dir: string): void {
    if (this.#index.hasDirectory(dir)) return this.#onDirectoryReplaced(dir);
    if (this.#options.isIgnored(dir, true)) {
      // Events from inside it are dropped from now on (the native side may watch it: it skips only what it was given at the start).
      this.#index.prune(dir);
      return;
    }
    void this.#index.scan(dir).then(async (findings) => {
      if (this.#closed) return;
      for (const file of findings.files) this.#gate.report('add', file);
      const followedAlready = this.#subscriptions.has(dir);
      this.#followWhatCameWith(dir, findings);
      // A directory it came with may have had files added before its watch was up: walked once more.
      if (followedAlready || lstatOrNull(dir)?.isSymbolicLink() || findings.subdirectories === 0) return;
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

/** Stirs the files of `dir` (but `except`) modified since `since`; true when one was. */
function stirRecent(dir: string, except: string, since: number, budget: { left: number }, onActivity: (file: string) => void): boolean {
  let found = false;
  for (const name of namesIn(dir)) {
    if (--budget.left < 0) break;
    const other = path.join(dir, name);
    if (other === except) continue;
    const stats = statOrNull(other);
    if (stats?.isFile() && stats.mtimeMs >= since) {
      onActivity(other);
      found = true;
    }
  }
  return found;
}

/**
 * Test-only: the tests cannot lower the system's inotify limit. With HOT_TEST_ENOSPC set, the native
 * watcher fails to start as it does at the limit, and chokidar (which then simulates the rest) takes over.
 */
function simulateWatchLimit(): void {
  if (!process.env.HOT_TEST_ENOSPC) return;
  throw Object.assign(new Error("inotify_add_watch failed: No space left on device"), { code: 'ENOSPC' });
}
