import type { ChildProcess } from 'node:child_process';
import { spawnWatchdogShell, type EarlyWatchdog } from '../early-start.js';
import type { Writable } from 'node:stream';
import { readCommandLine } from '../platform/proc.js';
import type { Logger } from '../ui/logger.js';
import { groupMembers, groupState } from './kill-tree.js';
import type { SpawnChild } from './child.js';

/**
 * The watchdog (see spawnWatchdogShell): hot tells it which process groups it started and which are
 * gone. Started by the launcher when the launcher started the program itself.
 */
export interface Watchdog {
  track(pgid: number): void;
  untrack(pgid: number): void;
  /** A group hot may not signal is left running (it runs as another user): said once per group. */
  cannotStop(pgid: number): void;
  /** Ends the watchdog; the groups still tracked get the same treatment as if hot had died. */
  close(): void;
}

/**
 * Starts the watchdog. Without one (no /bin/sh, or it died), hot still stops its children on every
 * exit path it controls, but not when it is killed outright: `logger` is told once, as a warning.
 * `shell` is for tests (one that does not exist).
 */
export function startWatchdog(logger: Logger, shell = '/bin/sh', started?: EarlyWatchdog): Watchdog {
  let channel: Writable | null = null;
  let failed = false;
  const fail = (error: unknown): void => {
    channel = null;
    if (failed) return;
    failed = true;
    logger.warn(`the watchdog stopped working (${(error as Error).message ?? String(error)}): if hot is killed outright, the programs it started keep running`);
  };
  // The launcher's, when it started the program ahead of hot: it knows that program's group already.
  const tracked = new Set<number>(started?.tracked ?? []);
  try {
    const child: ChildProcess = started?.child ?? spawnWatchdogShell(shell);
    // No /bin/sh, or it is gone (EPIPE on the pipe).
    child.on('error', fail);
    channel = child.stdin;
    channel?.on('error', fail);
  } catch (error) {
    // Spawning failed synchronously: same as above.
    fail(error);
  }
  const send = (line: string): void => {
    channel?.write(`${line}\n`);
  };
  const unstoppable = new Set<number>();
  return {
    track(pgid) {
      if (tracked.has(pgid)) return;
      tracked.add(pgid);
      send(`+${pgid}`);
    },
    untrack(pgid) {
      if (tracked.delete(pgid)) send(`-${pgid}`);
    },
    cannotStop(pgid) {
      if (unstoppable.has(pgid)) return;
      unstoppable.add(pgid);
      logger.warn(describeUnstoppable(pgid), { hint: 'stop it yourself (sudo kill), or run the program without sudo' });
    },
    close() {
      channel?.end();
      channel = null;
    },
  };
}

/** Wraps a spawner so every process group it starts is known to the watchdog until it is gone. */
export function watchedSpawn(spawnChild: SpawnChild, watchdog: Watchdog): SpawnChild {
  return (spec) => {
    const child = spawnChild(spec);
    if (child.pid === 0) return child;
    watchdog.track(child.pid);
    return {
      ...child,
      async stop(signal, timeoutMs) {
        const result = await child.stop(signal, timeoutMs);
        untrackWhenGone(child.pid, watchdog);
        return result;
      },
      kill() {
        child.kill();
        if (groupState(child.pid) === 'denied') watchdog.cannotStop(child.pid);
      },
    };
  };
}

/**
 * Tells the watchdog a group is gone once it is: at once, or (for one stuck in the kernel) when a
 * background check sees it go, so the watchdog never holds an id the system may give to others.
 * A group hot may not signal is reported, and untracked: the watchdog cannot stop it either.
 */
export function untrackWhenGone(pgid: number, watchdog: Watchdog): void {
  const state = groupState(pgid);
  if (state === 'denied') watchdog.cannotStop(pgid);
  if (state !== 'alive') return watchdog.untrack(pgid);
  const timer = setInterval(() => {
    if (groupState(pgid) === 'alive') return;
    clearInterval(timer);
    watchdog.untrack(pgid);
  }, 1000);
  timer.unref();
}

/** `pid 4243 (sudo node server.js) is still running, …`: the group's members as /proc names them. */
function describeUnstoppable(pgid: number): string {
  const members = groupMembers(pgid);
  const named = members.slice(0, 3).map((pid) => {
    const command = readCommandLine(pid);
    return command ? `pid ${pid} (${command})` : `pid ${pid}`;
  });
  const who = named.length > 0 ? `${named.join(', ')}${members.length > 3 ? ` and ${members.length - 3} more` : ''}` : `process group ${pgid}`;
  return `${who} is still running, but hot is not allowed to signal it (it runs as another user, e.g. through sudo): hot cannot stop it`;
}
