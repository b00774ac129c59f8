/**
 * Notices a build that keeps triggering itself: its output lands in watched files, which start the
 * next build, which writes them again. A change counts as the build's own when the file was last
 * modified while the build ran; a cycle started only by such changes, several times in a row, is a loop.
 */
export interface LoopGuard {
  buildStarted(): void;
  buildFinished(): void;
  /** `modifiedAtMs` is the file's mtime when the event arrived (undefined for a deleted file). */
  noteChange(absolutePath: string, modifiedAtMs: number | undefined): void;
  /** Call when a cycle is about to start for these changed paths; true when it would continue a loop. */
  isLooping(paths: readonly string[]): boolean;
}

export interface LoopGuardOptions {
  /** Consecutive self-triggered cycles that make a loop. */
  threshold?: number;
  /** Slack for file-system timestamps that are coarser than the clock. */
  clockSlackMs?: number;
  now?: () => number;
}

export function createLoopGuard(options: LoopGuardOptions = {}): LoopGuard {
  const threshold = options.threshold ?? 3;
  const slack = options.clockSlackMs ?? 20;
  const now = options.now ?? Date.now;
  let startedAt = Number.NaN;
  let finishedAt: number | null = null;
  let written = new Set<string>();
  let streak = 0;

  return {
    buildStarted() {
      startedAt = now();
      finishedAt = null;
      written = new Set();
    },
    buildFinished() {
      finishedAt = now();
    },
    noteChange(absolutePath, modifiedAtMs) {
      if (modifiedAtMs === undefined || Number.isNaN(startedAt)) return;
      const end = finishedAt ?? now();
      if (modifiedAtMs >= startedAt - slack && modifiedAtMs <= end + slack) written.add(absolutePath);
    },
    isLooping(paths) {
      const selfTriggered = paths.length > 0 && paths.every((file) => written.has(file));
      streak = selfTriggered ? streak + 1 : 0;
      return streak >= threshold;
    },
  };
}
