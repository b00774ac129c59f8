import { liveGroupMembers } from '../platform/proc.js';

/**
 * Signals for whole process groups. Every program hot starts leads its own group (spawned detached),
 * so one negative-pid kill reaches the shell, the program it started and everything they forked.
 */

/** Sends `signal` to the group led by `pgid`; false when the group has no process left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // ESRCH: the group is already empty. EPERM would mean a process changed owner: nothing we may do.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH' || (error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
}

/**
 * True while the group has a member that is not a zombie. Orphaned zombies stay in their group until
 * some init reaps them, which a container's init may never do, so on Linux /proc is asked too.
 */
export function isGroupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  // Where /proc cannot tell (not Linux, a hardened mount), kill(0) alone decides.
  const members = liveGroupMembers(pgid, 1);
  return members === null || members.length > 0;
}

/** The live members of a process group, from /proc (Linux); empty elsewhere. */
export function groupMembers(pgid: number): number[] {
  return liveGroupMembers(pgid) ?? [];
}

/**
 * Waits until the group is empty, checking every `intervalMs`, for at most `timeoutMs`.
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
