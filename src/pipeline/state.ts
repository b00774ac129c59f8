import type { ResolvedConfig } from '../config/schema.js';
import type { CycleOutcome, CycleTrigger, JobState } from '../events.js';

/** A cycle waiting to run: triggers that arrive meanwhile merge into it. */
export interface Cycle {
  trigger: CycleTrigger;
  /** Changed paths, absolute and unique, oldest first. */
  paths: string[];
  /** A caller's words for why (a shortcut, SIGUSR2, a dependency); null: say which files changed. */
  reason: string | null;
  /** At least one trigger came from this package itself (its files, a request), not from a dependency. */
  own: boolean;
  /** At least one trigger came from a package this one depends on. */
  upstream: boolean;
  /** Ids of the callers waiting for this cycle to end. */
  waiters: number[];
  /**
   * A build of it was already dropped for changes on their way: its next build starts the program
   * whatever arrives, so a build that writes into watched files still gets the program started.
   */
  superseded?: boolean;
  /** When what this cycle ends began, when that was before the cycle itself: the first start's, hot's launch. */
  since?: number;
}

/** A cycle being run, and when it began ("ready in" counts from there, the build included). */
export interface RunningCycle extends Cycle {
  startedAt: number;
}

/** Where the pipeline stands. Only `decide` moves it from one phase to another. */
export type Phase =
  /** Before the first cycle: in a monorepo, waiting for the packages this one depends on. */
  | { kind: 'waiting' }
  | { kind: 'idle' }
  /** The config file changed: re-reading it. */
  | { kind: 'reloading'; cycle: RunningCycle }
  | { kind: 'building'; cycle: RunningCycle }
  /** The job is starting the new generation. */
  | { kind: 'starting'; cycle: RunningCycle; buildMs: number | null }
  /** The build failed and stop_on_error stops the program. */
  | { kind: 'stopping'; cycle: RunningCycle }
  | { kind: 'closed' };

export interface PipelineState {
  phase: Phase;
  /** The one cycle queued behind the running one. */
  next: Cycle | null;
  paused: boolean;
  /** Changes seen while paused, acted on in one cycle at resume. */
  held: string[];
  /** When the program crashed recently (for the breaker). */
  crashTimes: number[];
  lastOutcome: CycleOutcome | null;
  /** The job's state as the pipeline last heard or asked it. */
  job: JobState;
  /** Changes are on their way from the watcher: a build finishing now is already stale. */
  incoming: boolean;
  /**
   * The running program is behind: the config changed its [run], or type errors ([check] types =
   * "block") held back a build. The next cycle restarts whatever the build says.
   */
  runOutdated: boolean;
  config: ResolvedConfig;
  /** Where paths are shown relative to. */
  cwd: string;
  /** The public URL with [serve], for the first start line. */
  publicUrl: string | null;
  /** Why the job is in backoff, for the line of the retry: a crash (null), or a clean exit with on_clean_exit = "restart". */
  retryReason: string | null;
  /** A program started in place whose listen is awaited: "ready in" counts from its cycle's start. */
  listenPending: { pid: number; startedAt: number } | null;
}

export function initialState(config: ResolvedConfig, cwd: string): PipelineState {
  return { phase: { kind: 'waiting' }, next: null, paused: false, held: [], crashTimes: [], lastOutcome: null, job: 'idle', incoming: false, runOutdated: false, config, cwd, publicUrl: null, retryReason: null, listenPending: null };
}

/** When triggers pile up during a cycle, the next cycle runs as the most demanding of them. */
export const TRIGGER_WEIGHT: Record<CycleTrigger, number> = { retry: 0, start: 1, changes: 2, manual: 3, 'config-changed': 4 };

/** Merges a trigger into the queued cycle (or queues it). */
export function mergeCycle(next: Cycle | null, add: Cycle): Cycle {
  if (!next) return { ...add, paths: [...new Set(add.paths)], waiters: [...add.waiters] };
  const paths = new Set(next.paths);
  for (const file of add.paths) paths.add(file);
  return {
    trigger: TRIGGER_WEIGHT[add.trigger] > TRIGGER_WEIGHT[next.trigger] ? add.trigger : next.trigger,
    paths: [...paths],
    reason: next.reason ?? add.reason,
    own: next.own || add.own,
    upstream: next.upstream || add.upstream,
    waiters: [...next.waiters, ...add.waiters],
    ...(next.superseded || add.superseded ? { superseded: true } : {}),
    ...(next.since !== undefined || add.since !== undefined ? { since: Math.min(next.since ?? Infinity, add.since ?? Infinity) } : {}),
  };
}

/** Where the package stands, in a few words: `running`, `crashed, waiting for changes`. */
export function describeStatus(state: PipelineState): string {
  switch (state.phase.kind) {
    case 'waiting':
      return 'waiting for dependencies';
    case 'reloading':
    case 'building':
    case 'starting':
    case 'stopping':
      return 'building';
    case 'closed':
      return 'stopped';
    case 'idle':
      break;
  }
  if (state.lastOutcome === 'build-failed') return state.job === 'running' ? 'build failed, previous version running' : 'build failed';
  if (state.config.run.command === null) return state.lastOutcome === 'built' ? 'built' : 'waiting';
  switch (state.job) {
    case 'backoff':
      return state.retryReason ? 'exited cleanly, restarting' : 'crashed, restarting';
    case 'tripped':
      return 'crashed, waiting for changes';
    default:
      return state.job;
  }
}
