import { liveGroupMembers, readProcessStat } from '../platform/proc.js';

/**
 * Signals for whole process groups. Every program hot starts leads its own group (spawned detached),
 * so one negative-pid kill reaches the shell, the program it started and everything they forked.
 */

/**
 * What kill(-pgid) found: it reached a process, the group has none left (ESRCH), or every process left
 * is one hot may not signal (EPERM: it runs as another user, e.g. through sudo, or is setuid).
 */
export type GroupSignal = 'sent' | 'gone' | 'denied';

export function sendToGroup(pgid: number, signal: NodeJS.Signals | 0): GroupSignal {
  try {
    process.kill(-pgid, signal);
    return 'sent';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'gone';
    if (code === 'EPERM') return 'denied';
    throw error;
  }
}

/** Sends `signal` to the group led by `pgid`; false when it reached no process (none left, or none hot may signal). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  return sendToGroup(pgid, signal) === 'sent';
}

/**
 * `alive`: the group has a member that is not a zombie, and hot may signal it. `denied`: processes
 * are left, but hot may signal none of them, so it cannot stop them either. `gone`: nothing but
 * zombies, or nothing. Orphaned zombies stay in their group until some init reaps them, which a
 * container's init may never do, so on Linux /proc is asked too.
 */
export function groupState(pgid: number): 'alive' | 'denied' | 'gone' {
  const reached = sendToGroup(pgid, 0);
  if (reached === 'gone') return 'gone';
  // Where /proc cannot tell (not Linux, a hardened mount), kill(0) alone decides.
  const members = liveGroupMembers(pgid, 1);
  if (members !== null && members.length === 0) return 'gone';
  return reached === 'sent' ? 'alive' : 'denied';
}

/** The live members of a process group, from /proc (Linux); empty elsewhere. */
export function groupMembers(pgid: number): number[] {
  return liveGroupMembers(pgid) ?? [];
}

/** What a GroupProbe reads; injectable for tests. */
export interface GroupReaders {
  /** kill(-pgid, 0). */
  signal(pgid: number): GroupSignal;
  /** /proc/<pid>/stat: still in the group, and not a zombie. */
  isLiveMember(pid: number, pgid: number): boolean;
  /** A walk of all of /proc; null when it cannot tell. */
  members(pgid: number): number[] | null;
}

const PROC_READERS: GroupReaders = {
  signal: (pgid) => sendToGroup(pgid, 0),
  isLiveMember(pid, pgid) {
    const stat = readProcessStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  },
  members: (pgid) => liveGroupMembers(pgid),
};

/**
 * A group's state (see groupState), asked again and again while it stops, cheaply: kill(0) first (a
 * gone group costs nothing more), then the members found last time, one /proc/<pid>/stat each; only
 * when none of them is a live member any more, a walk of all of /proc (a member started since, or
 * nothing but zombies left).
 */
export function createGroupProbe(pgid: number, readers: GroupReaders = PROC_READERS): { state(): 'alive' | 'denied' | 'gone' } {
  let known: number[] = [];
  return {
    state() {
      const reached = readers.signal(pgid);
      if (reached === 'gone') return 'gone';
      if (reached === 'sent' && known.some((pid) => readers.isLiveMember(pid, pgid))) return 'alive';
      const members = readers.members(pgid);
      // Where /proc cannot tell, kill(0) alone decides.
      if (members !== null) known = members;
      if (members !== null && members.length === 0) return 'gone';
      return reached === 'sent' ? 'alive' : 'denied';
    },
  };
}

/** While a group stops it is checked after FIRST_POLL_MS, then twice as long each time, up to MAX_POLL_MS. */
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;

export function nextPollMs(previousMs: number): number {
  return Math.min(2 * previousMs, MAX_POLL_MS);
}

/**
 * Waits until the group has no process left that hot could stop (a `denied` group is not waited
 * for: nothing hot does will end it), for at most `timeoutMs`. The kernel gives no event when the
 * last member of a group exits, so this one wait polls: soon at first, then less and less often.
 */
export async function waitForGroupExit(pgid: number, timeoutMs: number, readers?: GroupReaders): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const probe = createGroupProbe(pgid, readers);
  let intervalMs = FIRST_POLL_MS;
  while (probe.state() === 'alive') {
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, leftMs)));
    intervalMs = nextPollMs(intervalMs);
  }
  return true;
}
