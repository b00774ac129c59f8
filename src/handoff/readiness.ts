/**
 * When a generation handed the shared sockets can serve. Any of: READY=1 on hot's ready pipe (what
 * the Node preload writes when the program listens) or on its NOTIFY_SOCKET (systemd's protocol), or
 * a line matching ready_pattern on stdout or stderr. A program that announces nothing is never killed
 * for it: once it has run `quietMs` without showing it will announce (no pattern set, no notify
 * message, no word from the preload), it counts as ready. One that was expected to announce and did
 * not counts as ready at `timeoutMs`, with a warning, instead of being killed while it may serve fine.
 */
export type Readiness = 'signalled' | 'silent' | 'timeout';

/** How long a program that says nothing must have run before it counts as ready. */
export const QUIET_READY_MS = 500;

export interface ReadinessSources {
  /** hot's ready pipe (HOT_READY_FD): READY=1 when listening; any other line says the preload is there. */
  readyPipe: NodeJS.ReadableStream | null;
  stdout: NodeJS.ReadableStream | null;
  stderr: NodeJS.ReadableStream | null;
  pattern: RegExp | null;
  /** Subscribes to the generation's notify socket lines; returns the unsubscribe. */
  notify: ((onLine: (line: string) => void) => () => void) | null;
  /** An earlier version of the program announced itself: wait for this one to, however slow. */
  announced: boolean;
}

export function waitForReadiness(sources: ReadinessSources, timing: { quietMs: number; timeoutMs: number }, signal: AbortSignal): Promise<Readiness> {
  return new Promise((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    let announces = sources.pattern !== null || sources.announced;
    const finish = (outcome: Readiness | Error): void => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const onStatusLine = (line: string): void => {
      announces = true;
      if (line.trim() === 'READY=1') finish('signalled');
    };
    const watchLines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void): void => {
      let buffered = '';
      const onData = (chunk: Buffer | string): void => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      };
      stream.on('data', onData);
      cleanups.push(() => stream.off('data', onData));
    };
    if (sources.readyPipe) watchLines(sources.readyPipe, onStatusLine);
    if (sources.notify) cleanups.push(sources.notify(onStatusLine));
    const { pattern } = sources;
    if (pattern) {
      const onLine = (line: string): void => {
        if (pattern.test(line)) finish('signalled');
      };
      if (sources.stdout) watchLines(sources.stdout, onLine);
      if (sources.stderr) watchLines(sources.stderr, onLine);
    }
    const quiet = setTimeout(() => {
      if (!announces) finish('silent');
    }, timing.quietMs);
    const deadline = setTimeout(() => finish('timeout'), timing.timeoutMs);
    cleanups.push(() => clearTimeout(quiet), () => clearTimeout(deadline));
    const onAbort = (): void => finish(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', onAbort));
  });
}
