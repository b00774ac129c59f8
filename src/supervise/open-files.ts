import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { groupMembers } from './kill-tree.js';

/** A burst of events asks about one group many times in a row: its members are read once per this long. */
const MEMBERS_TTL_MS = 250;
let cached: { pgid: number; at: number; members: number[] } | null = null;

function membersOf(pgid: number): number[] {
  const now = Date.now();
  if (!cached || cached.pgid !== pgid || now - cached.at > MEMBERS_TTL_MS) cached = { pgid, at: now, members: groupMembers(pgid) };
  return cached.members;
}

/** O_WRONLY | O_RDWR in the octal `flags:` of /proc/<pid>/fdinfo/<fd>. */
const WRITE_ACCESS = 0o3;

/**
 * True when a process of the group led by `pgid` has `file` open for writing right now: a log the
 * program appends to, a database file it keeps open. Linux only; false when /proc cannot tell.
 */
export function isOpenForWritingByGroup(pgid: number, file: string): boolean {
  for (const pid of membersOf(pgid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      // Exited meanwhile, or another user's.
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== file) continue;
        const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
        if (flags !== undefined && (Number.parseInt(flags, 8) & WRITE_ACCESS) !== 0) return true;
      } catch {
        // The fd closed between the listing and the read.
      }
    }
  }
  return false;
}
