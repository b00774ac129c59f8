import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { realpathOrNull, statOrNull } from './fs-probe.js';

/** What a walk found that the index did not know yet. */
export interface ScanFindings {
  files: string[];
  /** Directories under the walked one (not counting it): watches a native watcher may not have. */
  subdirectories: number;
  /** Symbolic links to directories, by the path they appear at: their targets need watches of their own. */
  links: Map<string, string>;
}

/**
 * The files a native watcher stands for, by directory, and the directories its rules skip. The
 * native watcher reports a directory that disappears as one path: the index knows the files that went
 * with it. It also tells a new file from a known one, and how many files are watched.
 */
export class TreeIndex {
  readonly #isIgnored: (absolutePath: string, isDirectory?: boolean) => boolean;
  /** Directory → names of the watched files in it. */
  readonly #files = new Map<string, Set<string>>();
  /** Directories skipped whole: handed to the native watcher so it never looks inside. */
  readonly #pruned = new Set<string>();
  #fileCount = 0;

  constructor(isIgnored: (absolutePath: string, isDirectory?: boolean) => boolean) {
    this.#isIgnored = isIgnored;
  }

  get fileCount(): number {
    return this.#fileCount;
  }

  get prunedDirectories(): ReadonlySet<string> {
    return this.#pruned;
  }

  hasFile(file: string): boolean {
    return this.#files.get(path.dirname(file))?.has(path.basename(file)) === true;
  }

  /** The names of the files known in `dir`, as a copy. */
  filesIn(dir: string): string[] {
    return [...(this.#files.get(dir) ?? [])];
  }

  directories(): IterableIterator<string> {
    return this.#files.keys();
  }

  hasDirectory(dir: string): boolean {
    return this.#files.has(dir);
  }

  isPruned(dir: string): boolean {
    return this.#pruned.has(dir);
  }

  /** Records a file; false when it was known already. */
  addFile(file: string): boolean {
    const dir = path.dirname(file);
    let names = this.#files.get(dir);
    if (!names) {
      names = new Set();
      this.#files.set(dir, names);
    }
    if (names.has(path.basename(file))) return false;
    names.add(path.basename(file));
    this.#fileCount++;
    return true;
  }

  /** Forgets a file; false when it was not known. */
  removeFile(file: string): boolean {
    const removed = this.#files.get(path.dirname(file))?.delete(path.basename(file)) === true;
    if (removed) this.#fileCount--;
    return removed;
  }

  prune(dir: string): void {
    this.#pruned.add(dir);
  }

  /** The files known in a directory and everything under it. */
  *filesUnder(dir: string): Generator<string> {
    for (const known of this.#directoriesUnder(dir)) for (const name of this.#files.get(known)!) yield path.join(known, name);
  }

  /** Forgets a directory and everything under it; returns the files that were known there. */
  removeTree(dir: string): string[] {
    const gone: string[] = [];
    for (const known of this.#directoriesUnder(dir)) {
      const names = this.#files.get(known)!;
      for (const name of names) gone.push(path.join(known, name));
      this.#fileCount -= names.size;
      this.#files.delete(known);
    }
    return gone;
  }

  #directoriesUnder(dir: string): string[] {
    const prefix = dir + path.sep;
    return [...this.#files.keys()].filter((known) => known === dir || known.startsWith(prefix));
  }

  /**
   * Walks `dir` (the root, or a directory that appeared) and records what it finds. Only
   * directories are asked about (a skipped one is not read); files are counted as they are, and
   * each event is filtered when it comes. The walk reads directories synchronously in slices of a
   * few milliseconds, so the event loop is never held for long. `listFiles: false` (the first walk)
   * only records the files, without listing them as found. Symbolic links to directories are
   * followed once (a link back up its own tree is not walked again).
   */
  async scan(dir: string, { listFiles = true }: { listFiles?: boolean } = {}): Promise<ScanFindings> {
    const findings: ScanFindings = { files: [], subdirectories: 0, links: new Map() };
    const followed = new Set<string>();
    const queue: string[] = [dir];
    let sliceStart = performance.now();
    for (let current = queue.pop(); current !== undefined; current = queue.pop()) {
      this.#visit(current, queue, findings, followed, listFiles);
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return findings;
  }

  #visit(current: string, queue: string[], findings: ScanFindings, followed: Set<string>, listFiles: boolean): void {
    let names = this.#files.get(current);
    if (!names) {
      names = new Set();
      this.#files.set(current, names);
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      // Gone or unreadable since it was found: nothing to watch in it.
      return;
    }
    for (const entry of entries) {
      const link = entry.isSymbolicLink();
      const full = entry.isDirectory() || link ? path.join(current, entry.name) : '';
      if (!(entry.isDirectory() || (link && statOrNull(full)?.isDirectory() === true))) {
        if (names.has(entry.name)) continue;
        names.add(entry.name);
        this.#fileCount++;
        if (listFiles) findings.files.push(full || path.join(current, entry.name));
        continue;
      }
      if (this.#isIgnored(full, true)) {
        this.#pruned.add(full);
        continue;
      }
      if (link) {
        const target = realpathOrNull(full);
        const here = realpathOrNull(current);
        // A link back up its own tree, or to a directory already followed, is not walked again.
        if (target === null || here === null || followed.has(target) || here === target || here.startsWith(target + path.sep)) continue;
        followed.add(target);
        findings.links.set(full, target);
      }
      findings.subdirectories++;
      queue.push(full);
    }
  }
}

/** Longest stretch a walk reads directories without letting other work run. */
const SLICE_MS = 8;
