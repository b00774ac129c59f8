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

/** Polls until no marked process is alive, or the deadline passes; returns the count left. */
export async function waitForNoMarkedProcesses(marker: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = countMarkedProcesses(marker);
    if (left === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until the process is gone (or a zombie); false if it is still alive at the deadline. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
