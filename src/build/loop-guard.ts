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

/** A watcher that batches events delivers a write this long after it at the latest (the native one waits for 50 ms of quiet). */
const LATE_EVENT_MS = 300;

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
  /** This cycle's spans, and the previous cycle's: an event can arrive a cycle late (a watcher that batches). */
  let current: CycleSpans = emptySpans();
  let previous: CycleSpans = emptySpans();
  let written = new Map<string, Writer>();
  let streak = 0;
  /** The paths of the last self-triggered cycle: a loop rewrites the same files each round. */
  let lastLoopPaths = '';

  /** Who of this span's cycle wrote a file modified at `modifiedAtMs`, if any. */
  const writerIn = (spans: CycleSpans, modifiedAtMs: number, isSource: boolean): Writer | null => {
    if (Number.isNaN(spans.startedAt)) return null;
    // Slack before the start only: a file's time comes from a coarse clock that lags, never leads, so a
    // write the step made is never stamped after the step ended, and a save just after it (a fast
    // hand, a script) must not count as the step's.
    const counts = (from: number, to: number): boolean => modifiedAtMs >= from - slack && modifiedAtMs <= to && !(isSource && to - from > LONG_STEP_MS);
    if (spans.hooks.some(([from, to]) => counts(from, to ?? now()))) return 'hook';
    if (counts(spans.startedAt, spans.finishedAt ?? now())) return 'build';
    const started = spans.programStartedAt;
    if (!isSource && started !== null && modifiedAtMs >= started - slack && modifiedAtMs <= started + programWindowMs) return 'program';
    return null;
  };

  return {
    buildStarted() {
      previous = current;
      current = { ...emptySpans(), startedAt: now() };
      written = new Map();
    },
    buildFinished() {
      current.finishedAt = now();
    },
    programStarted() {
      current.programStartedAt = now();
    },
    hookStarted() {
      const span: [number, number | null] = [now(), null];
      current.hooks.push(span);
      return () => {
        span[1] = now();
      };
    },
    noteChange(absolutePath, modifiedAtMs, isSource = false) {
      if (modifiedAtMs === undefined) return;
      // The previous cycle's write counts only when its event came late: soon after this build started.
      const late = !Number.isNaN(current.startedAt) && modifiedAtMs < current.startedAt && now() - current.startedAt <= LATE_EVENT_MS;
      const writer = writerIn(current, modifiedAtMs, isSource) ?? (late ? writerIn(previous, modifiedAtMs, isSource) : null);
      if (writer) written.set(absolutePath, writer);
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

interface CycleSpans {
  startedAt: number;
  finishedAt: number | null;
  programStartedAt: number | null;
  /** [start, end] of each hook of the cycle; end is null while the hook runs. */
  hooks: Array<[number, number | null]>;
}

function emptySpans(): CycleSpans {
  return { startedAt: Number.NaN, finishedAt: null, programStartedAt: null, hooks: [] };
}
