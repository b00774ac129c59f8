import { readdirSync, readFileSync } from 'node:fs';

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
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(entry);
      if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
    }
    return false;
  } catch {
    // /proc not readable (a hardened mount): trust kill(0) alone.
    return true;
  }
}

/** The live members of a process group, from /proc (Linux); empty elsewhere. */
export function groupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') return [];
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    // /proc not readable: no member can be named.
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(entry));
  }
  return members;
}

function readStat(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    // The process exited between readdir and read.
    return undefined;
  }
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
