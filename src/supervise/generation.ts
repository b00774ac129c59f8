import type { Socket } from 'node:net';
import type { Command, ResolvedRun } from '../config/schema.js';
import { SpawnError } from '../errors.js';
import type { GenerationLaunch, Handoff, JobEvent, StartFailure } from '../events.js';
import type { ChildHandle, SpawnChild } from './child.js';
import { settlesWithin } from './settle.js';
import { buildChildEnv, changedPathsVariables } from './env.js';
import { loadsNoModule, packageStamp, STANDBY_FD_VARIABLE, standbyChannel, withStandbyPreload, type Standby, type StandbyChannel } from './standby.js';

/** One started program of a job. */
export interface Generation {
  id: number;
  child: ChildHandle;
  /** The settings it was started with: it stops with its own kill signal and timeout. */
  run: ResolvedRun;
  /** True once hot asked it to stop: its exit is not a crash. */
  stopRequested: boolean;
  ready: boolean;
  /** With the warm standby on: the socket to its preload (which packages it loaded). */
  channel: StandbyChannel | null;
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

/** hot's variables for one generation: HOT_GENERATION counts the programs started, 1, 2, 3… */
function hotVariables(restartCount: number, changedPaths: readonly string[]): Record<string, string> {
  return { HOT: '1', HOT_RESTART_COUNT: String(restartCount), HOT_GENERATION: String(restartCount + 1), ...changedPathsVariables(changedPaths) };
}

/**
 * The prepared environment, then `variables`, then the handoff's; its preload added to NODE_OPTIONS
 * as this start sees it, unless the command imports it already (`preloaded`).
 */
function programEnv(base: NodeJS.ProcessEnv, launch: GenerationLaunch, variables: Record<string, string>, preloaded: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...variables, ...launch.env };
  if (launch.preload && !preloaded) env.NODE_OPTIONS = [env.NODE_OPTIONS, `--import=${JSON.stringify(launch.preload)}`].filter(Boolean).join(' ');
  return env;
}

/**
 * The command, the fds and the standby variable every generation of this [run] gets; `preloaded`
 * when the command imports the handoff's preload itself (with the standby's, in one module).
 */
function programSpawn(run: ResolvedRun, launch: GenerationLaunch): { command: Command; extraFds: unknown[]; standbyFd: Record<string, string>; preloaded: boolean } {
  if (!run.command) throw new Error('internal: a build-only package has no program to start');
  const handoffFds = [...(launch.extraFds ?? [])];
  const preloaded = run.standby !== null && launch.standbyPreload !== undefined && loadsNoModule(run.command, run.standby.preloadAt);
  const command = run.standby ? withStandbyPreload(run.command, run.standby.preloadAt, preloaded ? launch.standbyPreload : undefined) : run.command;
  return {
    preloaded,
    command: launch.wrapCommand ? launch.wrapCommand(command) : command,
    extraFds: run.standby ? [...handoffFds, 'pipe'] : handoffFds,
    standbyFd: run.standby ? { [STANDBY_FD_VARIABLE]: String(3 + handoffFds.length) } : {},
  };
}

function spawnProgram(spawn: SpawnChild, run: ResolvedRun, launch: GenerationLaunch, env: NodeJS.ProcessEnv, command: Command, extraFds: unknown[]): { child: ChildHandle; channel: StandbyChannel | null } {
  const child = spawn({ command, cwd: run.cwd, env, ...(extraFds.length > 0 ? { extraFds } : {}), ...(launch.stdio ? { stdio: launch.stdio } : {}) });
  const socket = run.standby ? (child.extraStreams[extraFds.length - 1] as Socket | null) : null;
  return { child, channel: socket ? standbyChannel(socket) : null };
}

/** Starts a generation: hot's variables over the prepared environment, the handoff's fds and wrapper. */
export function launchGeneration(spec: LaunchSpec, ready: boolean): Generation {
  const { run, launch } = spec;
  const { command, extraFds, standbyFd, preloaded } = programSpawn(run, launch);
  const env = programEnv(spec.env, launch, { ...hotVariables(spec.restartCount, spec.changedPaths), ...standbyFd }, preloaded);
  const { child, channel } = spawnProgram(spec.spawn, run, launch, env, command, extraFds);
  return { id: spec.id, child, run, stopRequested: false, ready, channel };
}

export interface StandbySpec {
  id: number;
  run: ResolvedRun & { standby: NonNullable<ResolvedRun['standby']> };
  env: NodeJS.ProcessEnv;
  launch: GenerationLaunch;
  epoch: number;
  spawn: SpawnChild;
}

/**
 * Starts the next generation ahead of time: it boots Node and hot's loaders, then waits in the
 * preload, before the program's entry, for hot's variables (HOT_RESTART_COUNT…) and "go".
 */
export function spawnStandby(spec: StandbySpec): Standby | null {
  const { run, launch } = spec;
  const stamp = packageStamp(run.cwd);
  const { command, extraFds, standbyFd, preloaded } = programSpawn(run, launch);
  const env = programEnv(spec.env, launch, { HOT: '1', ...standbyFd, HOT_STANDBY_WAIT: '1' }, preloaded);
  const { child, channel } = spawnProgram(spec.spawn, run, launch, env, command, extraFds);
  if (child.pid === 0 || !channel) {
    child.kill();
    return null;
  }
  const standby: Standby = { id: spec.id, child, channel, run, env: spec.env, launch, stamp, epoch: spec.epoch, alive: true, startedAt: Date.now(), sent: new Set(), warmed: 0, booted: false, warming: Promise.resolve() };
  void child.exited.then(() => {
    standby.alive = false;
  });
  return standby;
}

/**
 * The standby becomes the generation: its variables, then "go"; its age starts now. The handoff's
 * variables are not sent again: the standby has had them since its spawn (hot holds the same sockets,
 * or it is not woken), and the preloads that read them at boot removed them, as in a cold start.
 */
export function wakeStandby(standby: Standby, restartCount: number, changedPaths: readonly string[], ready: boolean): Generation {
  const variables: Record<string, string | null> = hotVariables(restartCount, changedPaths);
  if (!('HOT_CHANGED_TRUNCATED' in variables)) variables.HOT_CHANGED_TRUNCATED = null;
  standby.channel.send({ go: { env: variables } });
  const child: ChildHandle = { ...standby.child, startedAt: Date.now() };
  return { id: standby.id, child, run: standby.run, stopRequested: false, ready, channel: standby.channel };
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
