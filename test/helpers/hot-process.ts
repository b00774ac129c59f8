import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { runSteps, type Step, type StepResult } from './interact.js';
import { countMarkedProcesses, killMarkedProcesses } from './processes.js';
import { CLI } from './project.js';

export type Stream = 'stdout' | 'stderr' | 'both';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The built CLI running in a test; started by `useSession().run` (test/helpers/session.ts). */
export interface HotProcess {
  readonly child: ChildProcess;
  /** Unique value in the environment of hot and everything it starts. */
  readonly marker: string;
  /** Everything captured so far from `stream` (by default stdout and stderr, interleaved as they arrived). */
  output(stream?: Stream): string;
  /** What was captured from `stream` after the mark: the moment the last `act` step began. */
  sinceMark(stream?: Stream): string;
  /** Moves the mark to the end of what was captured so far; `act` steps do this before they act. */
  mark(): void;
  /** How often `pattern` occurs in the whole output. */
  count(pattern: RegExp): number;
  /**
   * Runs the steps in order, each with its own deadline; resolves with the last step's result. On a
   * failure it names the pending step and shows the full captured output. See test/helpers/interact.ts.
   */
  interact<S extends Step<unknown>[]>(...steps: S): Promise<StepResult<S>>;
  /** Writes to hot's stdin (with `stdin` or `tty`); on a terminal, single keys arrive as typed. */
  write(text: string): void;
  signal(signal: NodeJS.Signals): void;
  /** Resolves once hot has exited and its output is complete. */
  readonly exited: Promise<ExitStatus>;
  /** How hot exited, once it has and its output is complete; undefined until then. */
  exitStatus(): ExitStatus | undefined;
  /** Live processes (hot included) carrying the marker. */
  liveProcesses(): number;
  /** Kills hot and anything left with its marker; the session does this after each test. */
  cleanup(): Promise<void>;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Give hot a writable stdin (see `write`). */
  stdin?: boolean;
  /** Run hot on a pseudo-terminal (through `script`), as in a person's terminal; implies stdin. */
  tty?: boolean;
}

interface Captured {
  both: string;
  stdout: string;
  stderr: string;
}

/** Starts the built CLI and captures its output; only the session calls this. */
export function spawnHot(args: string[], options: RunOptions): HotProcess {
  const marker = `hot-test-${randomUUID()}`;
  const env = { ...process.env, NO_COLOR: '1', HOT_TEST_MARKER: marker, ...options.env };
  const stdio: ['pipe' | 'ignore', 'pipe', 'pipe'] = [options.stdin || options.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const command = [process.execPath, CLI, ...args].map((part) => `'${part.replace(/'/g, "'\\''")}'`).join(' ');
  // script(1) gives the command a pseudo-terminal; -e passes its exit code on.
  const child = options.tty
    ? spawn('script', ['-qfec', command, '/dev/null'], { cwd: options.cwd, env, stdio })
    : spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio });

  const captured: Captured = { both: '', stdout: '', stderr: '' };
  let markAt = { both: 0, stdout: 0, stderr: 0 };
  child.stdout!.on('data', (chunk: Buffer) => {
    captured.stdout += chunk.toString('utf8');
    captured.both += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    captured.stderr += chunk.toString('utf8');
    captured.both += chunk.toString('utf8');
  });
  let exitedEarly = false; // the process is gone (its output may still be arriving)
  let status: ExitStatus | undefined; // the process is gone and its output is complete
  child.once('exit', () => (exitedEarly = true));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('close', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
  });

  const hot: HotProcess = {
    child,
    marker,
    output: (stream = 'both') => captured[stream],
    sinceMark: (stream = 'both') => captured[stream].slice(markAt[stream]),
    mark() {
      markAt = { both: captured.both.length, stdout: captured.stdout.length, stderr: captured.stderr.length };
    },
    count(pattern) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      return [...captured.both.matchAll(global)].length;
    },
    interact: (...steps) => runSteps(hot, steps) as never,
    write(input) {
      child.stdin?.write(input);
    },
    signal(signal) {
      if (!exitedEarly) child.kill(signal);
    },
    exited,
    exitStatus: () => status,
    liveProcesses: () => countMarkedProcesses(marker),
    async cleanup() {
      if (!exitedEarly) {
        child.kill('SIGKILL');
        await new Promise((resolve) => (exitedEarly ? resolve(undefined) : child.once('exit', resolve)));
      }
      // Anything still holding hot's output open carries the marker too.
      killMarkedProcesses(marker);
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
    },
  };
  return hot;
}
