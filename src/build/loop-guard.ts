/**
 * Notices a cycle that keeps triggering itself: the build writes into watched files, or the program
 * writes into them as it starts (a data file, a log that `include` matches), which starts the next
 * cycle, which writes them again. A change counts as the cycle's own when the file was last modified
 * while the build ran or within a short window after the program was started; a cycle started only
 * by such changes to the same files, several times in a row, is a loop.
 */
export interface LoopGuard {
  buildStarted(): void;
  buildFinished(): void;
  /** The program of this cycle was just started: files it writes right away count as its own. */
  programStarted(): void;
  /** A hook of this cycle starts: files modified until the returned function is called count as its own. */
  hookStarted(): () => void;
  /**
   * `modifiedAtMs` is the file's mtime when the event arrived (undefined for a deleted file).
   * `isSource`: the file is program code (a script, a build input). People save code again right after
   * a restart all the time, while programs write data and logs: code never counts as the program's own.
   */
  noteChange(absolutePath: string, modifiedAtMs: number | undefined, isSource?: boolean): void;
  /**
   * Call when a cycle is about to start for these changed paths: who wrote them, when this cycle
   * would continue a loop (`threshold` self-started cycles in a row), else null.
   */
  isLooping(paths: readonly string[]): Writer | null;
}

export interface LoopGuardOptions {
  /** Consecutive self-triggered cycles that make a loop. */
  threshold?: number;
  /** Slack for file-system timestamps that are coarser than the clock. */
  clockSlackMs?: number;
  /** How long after a start the program's writes count as its own. */
  programWindowMs?: number;
  now?: () => number;
}

export type Writer = 'build' | 'program' | 'hook';

/**
 * A build or hook that runs longer than this (a type-check, a test run) may well see the person save
 * code meanwhile: code saved during such a long step never counts toward a loop.
 */
export const LONG_STEP_MS = 1000;

/** Programs that write a file as they start do it within this long; a person saving again rarely does. */
export const PROGRAM_WRITE_WINDOW_MS = 500;

export function createLoopGuard(options: LoopGuardOptions = {}): LoopGuard {
  const threshold = options.threshold ?? 3;
  const slack = options.clockSlackMs ?? 20;
  const programWindowMs = options.programWindowMs ?? PROGRAM_WRITE_WINDOW_MS;
  const now = options.now ?? Date.now;
  let startedAt = Number.NaN;
  let finishedAt: number | null = null;
  let programStartedAt: number | null = null;
  let written = new Map<string, Writer>();
  /** [start, end] of each hook of the cycle; end is null while the hook runs. */
  let hookSpans: Array<[number, number | null]> = [];
  let streak = 0;
  /** The paths of the last self-triggered cycle: a loop rewrites the same files each round. */
  let lastLoopPaths = '';

  return {
    buildStarted() {
      startedAt = now();
      finishedAt = null;
      programStartedAt = null;
      written = new Map();
      hookSpans = [];
    },
    buildFinished() {
      finishedAt = now();
    },
    programStarted() {
      programStartedAt = now();
    },
    hookStarted() {
      const span: [number, number | null] = [now(), null];
      hookSpans.push(span);
      return () => {
        span[1] = now();
      };
    },
    noteChange(absolutePath, modifiedAtMs, isSource = false) {
      if (modifiedAtMs === undefined || Number.isNaN(startedAt)) return;
      const buildEnd = finishedAt ?? now();
      const counts = (from: number, to: number): boolean => modifiedAtMs >= from - slack && modifiedAtMs <= to + slack && !(isSource && to - from > LONG_STEP_MS);
      if (hookSpans.some(([from, to]) => counts(from, to ?? now()))) {
        written.set(absolutePath, 'hook');
      } else if (counts(startedAt, buildEnd)) {
        written.set(absolutePath, 'build');
      } else if (!isSource && programStartedAt !== null && modifiedAtMs >= programStartedAt - slack && modifiedAtMs <= programStartedAt + programWindowMs) {
        written.set(absolutePath, 'program');
      }
    },
    isLooping(paths) {
      const selfTriggered = paths.length > 0 && paths.every((file) => written.has(file));
      const key = [...paths].sort().join('\n');
      streak = selfTriggered ? (key === lastLoopPaths ? streak + 1 : 1) : 0;
      lastLoopPaths = selfTriggered ? key : '';
      if (streak < threshold) return null;
      const writers = new Set(paths.map((file) => written.get(file)!));
      return writers.has('hook') ? 'hook' : writers.has('program') ? 'program' : 'build';
    },
  };
}
