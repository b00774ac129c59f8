import { readFileSync } from 'node:fs';
// @ts-expect-error: a JavaScript module without declarations
import { pidsWithEnv } from '../../bench/lib/harness.mjs';

/**
 * Processes are found by a unique marker in their environment (inherited by everything hot starts),
 * never by name, so parallel tests and unrelated node processes are never counted or killed.
 */
export function markedPids(marker: string): number[] {
  return pidsWithEnv('HOT_TEST_MARKER', marker) as number[];
}

export function countMarkedProcesses(marker: string): number {
  return markedPids(marker).length;
}

export function killMarkedProcesses(marker: string): void {
  for (const pid of markedPids(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
