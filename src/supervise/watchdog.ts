import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { isGroupAlive } from './kill-tree.js';
import type { SpawnChild } from './child.js';

/**
 * A tiny `sh` process that outlives hot only to clean up after it. hot tells it, over a pipe, which
 * process groups it started and which are gone; if the pipe closes while groups are left (hot was
 * killed with SIGKILL, or crashed), it sends them SIGTERM, then SIGKILL a second later, and exits.
 * It ignores the signals a terminal sends, and lives in its own process group.
 */
const SCRIPT = `
trap '' INT TERM HUP QUIT
groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) g="\${line#-}"
        case "$groups" in *" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;; esac ;;
  esac
done
[ "$groups" = " " ] && exit 0
for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep 1
for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
`;

export interface Watchdog {
  track(pgid: number): void;
  untrack(pgid: number): void;
  /** Ends the watchdog; the groups still tracked get the same treatment as if hot had died. */
  close(): void;
}

export function startWatchdog(): Watchdog {
  let channel: Writable | null = null;
  try {
    // A bare environment: nothing of the user's needs to reach it.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const child = spawn('/bin/sh', ['-c', SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    child.on('error', () => {
      // No /bin/sh: hot still stops its children itself on every exit path it controls.
      channel = null;
    });
    channel = child.stdin;
    channel.on('error', () => {
      channel = null;
    });
    // The watchdog must never keep hot alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
  } catch {
    // Spawning failed synchronously: same as above.
    channel = null;
  }
  const send = (line: string): void => {
    channel?.write(`${line}\n`);
  };
  return {
    track: (pgid) => send(`+${pgid}`),
    untrack: (pgid) => send(`-${pgid}`),
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
    };
  };
}

/**
 * Tells the watchdog a group is gone once it is: at once, or (for one stuck in the kernel) when a
 * background check sees it go, so the watchdog never holds an id the system may give to others.
 */
function untrackWhenGone(pgid: number, watchdog: Watchdog): void {
  if (!isGroupAlive(pgid)) return watchdog.untrack(pgid);
  const timer = setInterval(() => {
    if (isGroupAlive(pgid)) return;
    clearInterval(timer);
    watchdog.untrack(pgid);
  }, 1000);
  timer.unref();
}
