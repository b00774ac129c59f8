import type { ResolvedRun } from '../config/schema.js';
import { SpawnError } from '../errors.js';
import type { GenerationLaunch, Handoff, JobEvent, StartFailure } from '../events.js';
import type { ChildHandle, SpawnChild } from './child.js';
import { settlesWithin } from './settle.js';
import { buildChildEnv, changedPathsVariables } from './env.js';

/** One started program of a job. */
export interface Generation {
  id: number;
  child: ChildHandle;
  /** The settings it was started with: it stops with its own kill signal and timeout. */
  run: ResolvedRun;
  /** True once hot asked it to stop: its exit is not a crash. */
  stopRequested: boolean;
  ready: boolean;
}

export interface LaunchSpec {
  id: number;
  run: ResolvedRun;
  /** From `prepareEnvironment`, read before the job stopped anything. */
  env: NodeJS.ProcessEnv;
  /** HOT_RESTART_COUNT: programs started before this one. */
  restartCount: number;
  changedPaths: readonly string[];
  launch: GenerationLaunch;
  spawn: SpawnChild;
  emit(event: JobEvent): void;
}

/**
 * The next generation's environment without hot's variables: env files read now, before the job
 * stops the running program, so a file no environment can hold leaves that program serving.
 */
export async function prepareEnvironment(run: ResolvedRun, emit: (event: JobEvent) => void, signal: AbortSignal): Promise<{ env: NodeJS.ProcessEnv } | { failure: StartFailure }> {
  try {
    const onMissing = (file: string, reason: string): void => emit({ type: 'env-file-problem', file, reason });
    return { env: await buildChildEnv({ envFiles: run.envFiles, env: run.env, onMissing, signal }) };
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    return { failure: { cause: 'spawn', error } };
  }
}

/** Starts a generation: hot's variables over the prepared environment, the handoff's fds and wrapper. */
export function launchGeneration(spec: LaunchSpec, ready: boolean): Generation {
  const { run, launch } = spec;
  if (!run.command) throw new Error('internal: a build-only package has no program to start');
  const hot = { HOT: '1', HOT_RESTART_COUNT: String(spec.restartCount), HOT_GENERATION: String(spec.id), ...changedPathsVariables(spec.changedPaths) };
  const env: NodeJS.ProcessEnv = { ...spec.env, ...hot, ...launch.env };
  // Added to NODE_OPTIONS as this start sees it (env files and [run] env are read at every start).
  if (launch.preload) env.NODE_OPTIONS = [env.NODE_OPTIONS, `--import=${JSON.stringify(launch.preload)}`].filter(Boolean).join(' ');
  const command = launch.wrapCommand ? launch.wrapCommand(run.command) : run.command;
  const child = spec.spawn({
    command,
    cwd: run.cwd,
    env,
    ...(launch.extraFds ? { extraFds: launch.extraFds } : {}),
    ...(launch.stdio ? { stdio: launch.stdio } : {}),
  });
  return { id: spec.id, child, run, stopRequested: false, ready };
}

/** Readiness, the generation's exit, or the handoff's deadline: whichever comes first. */
export async function waitUntilReady(next: Generation, using: Handoff): Promise<'ready' | 'aborted' | 'exited' | 'timeout'> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    using.waitReady(next.id, next.child, abort.signal).then(
      () => 'ready' as const,
      () => 'aborted' as const,
    ),
    next.child.exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), using.readyTimeoutMs);
    }),
  ]);
  clearTimeout(timer);
  abort.abort();
  return outcome;
}

/** How long to wait for an exit after SIGKILL before reporting the process as stuck. */
const EXIT_WAIT_MS = 10_000;

/** The stop signal to the generation's group, SIGKILL after `timeoutMs`; says when either went wrong. */
export async function stopThroughKillPath(generation: Generation, timeoutMs: number, emit: (event: JobEvent) => void): Promise<void> {
  const { child, run } = generation;
  const { forced } = await child.stop(run.killSignal, timeoutMs);
  if (forced) emit({ type: 'force-killed', pid: child.pid, afterMs: timeoutMs, signal: run.killSignal });
  // stop() waits for the exit itself; this bound only matters for a process stuck in the kernel.
  if (!(await settlesWithin(child.exited, EXIT_WAIT_MS))) emit({ type: 'stuck', pid: child.pid });
}
