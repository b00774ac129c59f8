import { hasFileOpenForWriting } from '../platform/proc.js';
import { groupMembers } from './kill-tree.js';

/** A burst of events asks about one group many times in a row: its members are read once per this long. */
const MEMBERS_TTL_MS = 250;
let cached: { pgid: number; at: number; members: number[] } | null = null;

function membersOf(pgid: number): number[] {
  const now = Date.now();
  if (!cached || cached.pgid !== pgid || now - cached.at > MEMBERS_TTL_MS) cached = { pgid, at: now, members: groupMembers(pgid) };
  return cached.members;
}

/**
 * True when a process of the group led by `pgid` has `file` open for writing right now: a log the
 * program appends to, a database file it keeps open. Linux only; false when /proc cannot tell.
 */
export function isOpenForWritingByGroup(pgid: number, file: string): boolean {
  return membersOf(pgid).some((pid) => hasFileOpenForWriting(pid, file));
}
