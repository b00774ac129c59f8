import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileChange, FileChangeKind } from '../events.js';
import type { Logger } from '../ui/logger.js';

export interface ChangeGateOptions {
  root: string;
  onChange(change: FileChange): void;
  logger: Logger;
}

/**
 * What every backend reports passes here before it is a change: a file caught empty (between an
 * editor's truncate and its write) waits until it settles, the same version of a file seen twice (a
 * poll caught it half done, two watches over one file) counts once, and a second save within a
 * backend's throttle is found by one more look.
 */
export interface ChangeGate {
  report(kind: FileChangeKind, file: string): void;
  /** Whether the file, as it is now, is the version last reported. */
  isReported(file: string): boolean;
  close(): void;
}

export function createChangeGate(options: ChangeGateOptions): ChangeGate {
  return new Gate(options);
}

class Gate implements ChangeGate {
  readonly #options: ChangeGateOptions;
  /** Per file just reported: the timer that looks again after a backend's throttle, and what it holds back. */
  readonly #rechecks = new Map<string, { timer: NodeJS.Timeout; held: FileChangeKind | null }>();
  /** Per file reported: its stamp and content digest then. */
  readonly #reportedVersions = new Map<string, string>();
  /** Files reported gone and not seen since: a second report of their removal is the same one. */
  readonly #gone = new Set<string>();
  #closed = false;

  constructor(options: ChangeGateOptions) {
    this.#options = options;
  }

  report(reported: FileChangeKind, file: string): void {
    if (this.#closed) return;
    // A new file held back while empty stays new when its content arrives.
    const kind = reported === 'change' && this.#rechecks.get(file)?.held === 'add' ? 'add' : reported;
    if (kind === 'unlink') {
      if (this.#gone.has(file)) return;
      this.#gone.add(file);
      this.#reportedVersions.delete(file);
      this.#options.onChange({ kind, path: file });
      return;
    }
    this.#gone.delete(file);
    const stamp = stampOf(file);
    // Empty: most likely caught between an editor's truncate and its write; it counts once settled.
    const empty = stamp?.size === 0;
    this.#recheckLater(file, stamp, empty ? kind : null);
    if (empty) return;
    // The file is exactly as when it was last reported: the same write seen twice. A touch changes its time, so it counts.
    const version = stamp && versionOf(file, stamp);
    if (version !== null && this.#reportedVersions.get(file) === version) {
      this.#options.logger.debug(`${path.relative(this.#options.root, file) || file} is exactly as when it last changed: not a change`);
      return;
    }
    if (version) this.#reportedVersions.set(file, version);
    this.#options.onChange({ kind, path: file });
  }

  isReported(file: string): boolean {
    const stamp = stampOf(file);
    const version = stamp && versionOf(file, stamp);
    return version !== null && this.#reportedVersions.get(file) === version;
  }

  close(): void {
    this.#closed = true;
    for (const { timer } of this.#rechecks.values()) clearTimeout(timer);
    this.#rechecks.clear();
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
      // Gone since: its unlink is the backend's to report.
      if (now === null) return;
      if (held) {
        this.#recheckLater(file, now, null);
        const version = versionOf(file, now);
        if (version) this.#reportedVersions.set(file, version);
        this.#options.onChange({ kind: held, path: file });
      } else if (now.key !== stamp?.key) {
        this.report('change', file);
      }
    }, RECHECK_AFTER_MS);
    timer.unref();
    this.#rechecks.set(file, { timer, held });
  }
}

/** Past chokidar's per-file change throttle (50 ms in chokidar 5). */
const RECHECK_AFTER_MS = 75;

export interface Stamp {
  /** What tells two versions of a file apart without reading it. */
  key: string;
  size: number;
  mtimeMs: number;
}

/** The file's stamp, or null when it is gone. */
export function stampOf(file: string): Stamp | null {
  try {
    const stats = statSync(file);
    return { key: `${stats.mtimeMs}:${stats.size}:${stats.ino}`, size: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    // Gone: its unlink is the backend's to report.
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
