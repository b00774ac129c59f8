import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Command } from '../config/schema.js';
import type { EarlySpec } from '../early-start.js';
import { SpawnError } from '../errors.js';
import type { GenerationChannel } from '../events.js';
import { signalGroup, waitForGroupExit } from './kill-tree.js';
import { settlesWithin } from './settle.js';

/** How to spawn: the fields EarlySpec describes, with hot's own types for the command and the output. */
export interface ChildSpec extends EarlySpec {
  command: Command;
  output?: ProgramOutput;
}

/** Destinations for a program's output (a monorepo prefixes each line with the package name). */
export interface ProgramOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface ChildStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: SpawnError;
}

export interface ChildHandle {
  /** 0 when the command could not be started. */
  readonly pid: number;
  readonly startedAt: number;
  /** When it was heard to listen before hot attached to it (an early start; ms since the epoch), once it has been. */
  readonly listenedAt?: () => number | undefined;
  /** Resolves when the process has exited (or failed to start); never rejects. */
  readonly exited: Promise<ChildStatus>;
  /** stdout and stderr merged, when spawned with stdio 'pipe'. */
  readonly output: NodeJS.ReadableStream | null;
  /** stderr alone, when spawned with stdio 'pipe'. */
  readonly errorOutput: NodeJS.ReadableStream | null;
  /** The program's stdout when spawned with stdio 'tee'. */
  readonly stdout: NodeJS.ReadableStream | null;
  /** The program's stderr when spawned with stdio 'tee'. */
  readonly stderr: NodeJS.ReadableStream | null;
  /** Readable ends of the extra fds that were 'pipe' (index 0 = fd 3), else null. */
  readonly extraStreams: ReadonlyArray<NodeJS.ReadableStream | null>;
  /** The IPC channel, when one of the extra fds was 'ipc'. */
  readonly channel: GenerationChannel | null;
  /**
   * Stops the whole process group: `signal`, then SIGKILL after `timeoutMs`, and stragglers of the
   * group (a server a shell started) are given the rest of the timeout before SIGKILL too.
   * Resolves with whether SIGKILL was needed.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<{ forced: boolean }>;
  /** SIGKILL to the group at once. */
  kill(): void;
}

export type SpawnChild = (spec: ChildSpec) => ChildHandle;

/** How long a SIGKILLed process may take to be reaped before hot stops waiting for it. */
const REAP_TIMEOUT_MS = 5000;

/** Starts a command as the leader of a new process group. */
export const spawnChild: SpawnChild = (spec) => {
  const [file, args] = spec.command.kind === 'argv' ? [spec.command.argv[0]!, spec.command.argv.slice(1)] : ['/bin/sh', ['-c', spec.command.line]];
  const redirected = spec.output !== undefined && spec.stdio !== 'pipe';
  const input = spec.stdin ?? 'inherit';
  const standard = spec.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : redirected ? [input, 'pipe', 'pipe'] : spec.stdio === 'tee' ? [input, 'pipe', 'pipe'] : [input, 'inherit', 'inherit'];
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: [...standard, ...((spec.extraFds ?? []) as never[])] as never,
  });
  return handleOf(child, spec, file);
};

/**
 * A process started as `spec` says before hot had loaded (the launcher's early start), leader of
 * its own group: from now on it is hot's like any other it spawned. `queued`: what it said on its
 * IPC channel meanwhile, heard first by the channel's first listener.
 */
export function adoptChild(child: ChildProcess, spec: ChildSpec, queued: ReadonlyArray<readonly [unknown, unknown]>): ChildHandle {
  child.ref();
  for (const stream of child.stdio) (stream as { ref?: () => void } | null)?.ref?.();
  (child.channel as { ref?: () => void } | undefined)?.ref?.();
  const file = spec.command.kind === 'argv' ? spec.command.argv[0]! : '/bin/sh';
  const handle = handleOf(child, spec, file);
  const channel = handle.channel;
  if (!channel || queued.length === 0) return handle;
  let replayed = false;
  return {
    ...handle,
    channel: {
      ...channel,
      onMessage(listener) {
        // After the turn that attached it: whoever started it has set up its own listeners by then.
        if (!replayed) {
          replayed = true;
          const early = [...queued];
          let live: Array<[Record<string, unknown>, unknown]> | null = [];
          channel.onMessage((message, sent) => (live ? live.push([message, sent]) : listener(message, sent)));
          setImmediate(() => {
            for (const [message, sent] of early) listener(message as Record<string, unknown>, sent);
            for (const [message, sent] of live ?? []) listener(message, sent);
            live = null;
          });
          return;
        }
        channel.onMessage(listener);
      },
    },
  };
}

function handleOf(child: ChildProcess, spec: ChildSpec, file: string): ChildHandle {
  const startedAt = Date.now();
  const redirected = spec.output !== undefined && spec.stdio !== 'pipe';
  const stdout = spec.stdio === 'tee' ? child.stdout : null;
  const stderr = spec.stdio === 'tee' ? child.stderr : null;
  // The program's own output is not hot's to judge: it passes through untouched.
  if (redirected) {
    child.stdout?.pipe(spec.output!.stdout, { end: false });
    child.stderr?.pipe(spec.output!.stderr, { end: false });
  } else {
    stdout?.pipe(process.stdout, { end: false });
    stderr?.pipe(process.stderr, { end: false });
  }
  const extraStreams = (spec.extraFds ?? []).map((_, index) => (child.stdio[index + 3] as NodeJS.ReadableStream | null | undefined) ?? null);
  let output: NodeJS.ReadableStream | null = null;
  let errorOutput: NodeJS.ReadableStream | null = null;
  if (spec.stdio === 'pipe' && child.stdout && child.stderr) {
    errorOutput = child.stderr;
    const merged = new PassThrough();
    let open = 2;
    const end = (): void => {
      if (--open === 0) merged.end();
    };
    child.stdout.on('end', end).pipe(merged, { end: false });
    child.stderr.on('end', end).pipe(merged, { end: false });
    output = merged;
  }
  const pid = child.pid ?? 0;
  const exited = new Promise<ChildStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) return;
      resolve({ code: null, signal: null, spawnError: toSpawnError(error, file, spec.cwd) });
    });
  });
  let exitedYet = false;
  void exited.then(() => {
    exitedYet = true;
  });

  let stopping: Promise<{ forced: boolean }> | undefined;
  const stop = (signal: NodeJS.Signals, timeoutMs: number): Promise<{ forced: boolean }> => {
    stopping ??= (async () => {
      if (pid === 0) return { forced: false };
      const deadline = Date.now() + timeoutMs;
      if (!exitedYet) signalGroup(pid, signal);
      else if (signalGroup(pid, 0)) signalGroup(pid, signal);
      let forced = false;
      const leaderExited = await settlesWithin(exited, timeoutMs);
      if (!leaderExited) {
        forced = true;
        signalGroup(pid, 'SIGKILL');
        await settlesWithin(exited, REAP_TIMEOUT_MS);
      }
      // The leader is gone; a process it started may still be shutting down in the same group.
      const groupEmpty = await waitForGroupExit(pid, Math.max(0, deadline - Date.now()));
      if (!groupEmpty) {
        forced = true;
        signalGroup(pid, 'SIGKILL');
        await waitForGroupExit(pid, REAP_TIMEOUT_MS);
      }
      return { forced };
    })();
    return stopping;
  };

  return {
    pid,
    startedAt,
    exited,
    output,
    errorOutput,
    stdout,
    stderr,
    extraStreams,
    channel: typeof child.send === 'function' ? channelOf(child) : null,
    stop,
    kill() {
      if (pid !== 0) signalGroup(pid, 'SIGKILL');
    },
  };
}

/** The child's IPC channel, as far as hot listens to it. */
function channelOf(child: ChildProcess): GenerationChannel {
  const closed = new Promise<void>((resolve) => {
    child.once('disconnect', () => resolve());
    child.once('error', () => {
      if (!child.connected) resolve();
    });
  });
  return {
    send(message, handle) {
      // The callback keeps a write to a channel that just closed from throwing.
      if (child.connected) child.send(message, handle as never, undefined, () => {});
    },
    onMessage(listener) {
      child.on('internalMessage', listener);
    },
    closed,
  };
}

function toSpawnError(error: NodeJS.ErrnoException, file: string, cwd: string): SpawnError {
  if (error.code === 'ENOENT' && !existsSync(cwd)) {
    return new SpawnError(`cannot start ${file}: the working directory ${cwd} does not exist`, { cause: error });
  }
  if (error.code === 'ENOENT') {
    return new SpawnError(`cannot start ${file}: command not found`, { hint: 'check the command, or that it is installed and on PATH', cause: error });
  }
  if (error.code === 'EACCES') {
    return new SpawnError(`cannot start ${file}: permission denied`, { hint: `make it executable (chmod +x ${file}) or run it through its interpreter`, cause: error });
  }
  return new SpawnError(`cannot start ${file}: ${error.message}`, { cause: error });
}
