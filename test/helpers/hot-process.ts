import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CLI } from './project.js';
import { countMarkedProcesses, killMarkedProcesses } from './processes.js';

export interface HotProcess {
  readonly child: ChildProcess;
  /** Unique value in the environment of hot and everything it starts. */
  readonly marker: string;
  /** Everything hot and its program printed so far (stdout and stderr interleaved). */
  output(): string;
  /** What went to stdout alone. */
  stdout(): string;
  /** Writes to hot's stdin (with `stdin` or `tty`); on a terminal, single keys arrive as typed. */
  write(text: string): void;
  /** Waits until the output after `from` (a character offset) matches; returns the match. */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Waits until `pattern` has matched `count` times in the whole output. */
  waitForCount(pattern: RegExp, count: number, timeoutMs?: number): Promise<void>;
  count(pattern: RegExp): number;
  /** Waits for hot's "watching" line: from then on, every file change is seen. */
  watching(): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(signal: NodeJS.Signals): void;
  /** Live processes (hot included) carrying the marker. */
  liveProcesses(): number;
  /** Kills hot and anything left with its marker; for afterEach. */
  cleanup(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Give hot a writable stdin (see `write`). */
  stdin?: boolean;
  /** Run hot on a pseudo-terminal (through `script`), as in a person's terminal; implies stdin. */
  tty?: boolean;
}

export function runHot(args: string[], options: RunOptions): HotProcess {
  const marker = `hot-test-${randomUUID()}`;
  const env = { ...process.env, NO_COLOR: '1', HOT_TEST_MARKER: marker, ...options.env };
  const stdio: ['pipe' | 'ignore', 'pipe', 'pipe'] = [options.stdin || options.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const command = [process.execPath, CLI, ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  // script(1) gives the command a pseudo-terminal; -e passes its exit code on.
  const child = options.tty
    ? spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env, stdio })
    : spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio });
  let text = '';
  let stdoutText = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutText += chunk.toString('utf8');
    append(chunk);
  });
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
      for (const listener of listeners) listener();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitUntil = <T>(check: () => T | undefined, describe: () => string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        cleanupWait();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanupWait();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}\n--- output ---\n${text}\n--- end ---`));
      }, timeoutMs);
      const listener = (): void => {
        if (attempt()) return;
        if (hasExited) {
          cleanupWait();
          reject(new Error(`hot exited while waiting for ${describe()}\n--- output ---\n${text}\n--- end ---`));
        }
      };
      const cleanupWait = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      listener();
    });

  const hot: HotProcess = {
    child,
    marker,
    output: () => text,
    stdout: () => stdoutText,
    write(input) {
      child.stdin?.write(input);
    },
    waitFor(pattern, { from = 0, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
      return waitUntil(() => text.slice(from).match(pattern) ?? undefined, () => String(pattern), timeoutMs);
    },
    async waitForCount(pattern, count, timeoutMs = DEFAULT_TIMEOUT_MS) {
      await waitUntil(() => (hot.count(pattern) >= count ? true : undefined), () => `${count}× ${String(pattern)}`, timeoutMs);
    },
    async watching() {
      await hot.waitFor(/\[hot\] watching /);
    },
    count(pattern) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      return [...text.matchAll(global)].length;
    },
    exited,
    signal(signal) {
      if (!hasExited) child.kill(signal);
    },
    liveProcesses: () => countMarkedProcesses(marker),
    async cleanup() {
      if (!hasExited) {
        child.kill('SIGKILL');
        await exited;
      }
      killMarkedProcesses(marker);
    },
  };
  return hot;
}
