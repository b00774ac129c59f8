import { statSync } from 'node:fs';
import { isFdOpenForWriting, listOpenFiles } from '../platform/proc.js';
import { groupMembers, sendToGroup } from './kill-tree.js';

/** What the index reads (Linux's /proc, the clock, a file's mtime); injectable for tests. */
export interface OpenFileReaders {
  now(): number;
  /** The file's mtime in ms; undefined when it is gone. */
  modifiedAt(file: string): number | undefined;
  /** kill(0) says the group has no process left. */
  isGroupGone(pgid: number): boolean;
  members(pgid: number): number[];
  openFiles(pid: number): Array<{ fd: string; path: string }>;
  /** The fd still is `file`, opened for writing. */
  isOpenForWriting(pid: number, fd: string, file: string): boolean;
}

const PROC_READERS: OpenFileReaders = {
  now: () => Date.now(),
  modifiedAt(file) {
    try {
      return statSync(file).mtimeMs;
    } catch {
      // Deleted since the event: nobody writes it any more.
      return undefined;
    }
  },
  isGroupGone: (pgid) => sendToGroup(pgid, 0) === 'gone',
  members: groupMembers,
  openFiles: listOpenFiles,
  isOpenForWriting: isFdOpenForWriting,
};

/** A burst of events asks about one group many times in a row: what was read serves for this long. */
export const OPEN_FILES_TTL_MS = 250;

/** File timestamps come from the kernel's coarse clock, up to a tick behind: a change this close before a read may be after it. */
const MTIME_SLACK_MS = 20;

export interface OpenFileIndex {
  /**
   * True when a process of the group led by `pgid` has `file` open for writing right now: a log the
   * program appends to, a database file it keeps open. Linux only; false when /proc cannot tell.
   */
  isOpenForWritingByGroup(pgid: number, file: string): boolean;
}

interface Snapshot {
  pgid: number;
  readAt: number;
  /** Every file a member has open, with the fds that hold it. */
  files: Map<string, Array<{ pid: number; fd: string }>>;
}

/**
 * Answers a burst of events from one reading of the group: its members and their fd → path map are
 * read once per OPEN_FILES_TTL_MS, not once per changed file. A file not in the map is not open,
 * unless it changed after the map was read (its writer may have opened it since): then the map is
 * read again, with the members already known. A file in the map is confirmed on its own fds.
 */
export function createOpenFileIndex(readers: OpenFileReaders = PROC_READERS): OpenFileIndex {
  let members: { pgid: number; readAt: number; pids: number[] } | null = null;
  let snapshot: Snapshot | null = null;

  const membersOf = (pgid: number, now: number): number[] => {
    if (!members || members.pgid !== pgid || now - members.readAt > OPEN_FILES_TTL_MS) members = { pgid, readAt: now, pids: readers.members(pgid) };
    return members.pids;
  };
  const read = (pgid: number, now: number): Snapshot => {
    const files = new Map<string, Array<{ pid: number; fd: string }>>();
    for (const pid of membersOf(pgid, now)) {
      for (const { fd, path } of readers.openFiles(pid)) files.set(path, [...(files.get(path) ?? []), { pid, fd }]);
    }
    snapshot = { pgid, readAt: now, files };
    return snapshot;
  };
  const isWritten = (from: Snapshot, file: string): boolean => (from.files.get(file) ?? []).some(({ pid, fd }) => readers.isOpenForWriting(pid, fd, file));

  return {
    isOpenForWritingByGroup(pgid, file) {
      if (readers.isGroupGone(pgid)) return false;
      const now = readers.now();
      const reused = snapshot !== null && snapshot.pgid === pgid && now - snapshot.readAt <= OPEN_FILES_TTL_MS;
      const current = reused ? snapshot! : read(pgid, now);
      if (isWritten(current, file)) return true;
      if (!reused) return false;
      const modifiedAt = readers.modifiedAt(file);
      if (modifiedAt === undefined || modifiedAt < current.readAt - MTIME_SLACK_MS) return false;
      return isWritten(read(pgid, now), file);
    },
  };
}
