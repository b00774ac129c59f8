import { liveGroupMembers } from '../platform/proc.js';

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

/** True while the group has a member that is not a zombie and that hot may signal (see groupState). */
export function isGroupAlive(pgid: number): boolean {
  return groupState(pgid) === 'alive';
}

/** The live members of a process group, from /proc (Linux); empty elsewhere. */
export function groupMembers(pgid: number): number[] {
  return liveGroupMembers(pgid) ?? [];
}

/**
 * Waits until the group has no process left that hot could stop (a `denied` group is not waited
 * for: nothing hot does will end it), checking every `intervalMs`, for at most `timeoutMs`.
 * The kernel gives no event when the last member of a group exits, so this one wait polls.
 */
export async function waitForGroupExit(pgid: number, timeoutMs: number, intervalMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}
