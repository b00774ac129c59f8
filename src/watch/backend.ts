import type { FileChange } from '../events.js';
import type { Logger } from '../ui/logger.js';

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
  /**
   * New rules for the same root, applied in place; false when this backend cannot (it is then
   * replaced by a new one, walked afresh). The native one must: its native side keeps one tree per
   * directory while any watcher holds it, so a second watcher on the root would see the first's.
   */
  refresh(options: WatcherOptions): Promise<boolean>;
  close(): Promise<void>;
}
