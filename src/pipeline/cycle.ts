import { describeCommand } from '../config/command-line.js';
import type { Command, ResolvedConfig } from '../config/schema.js';
import type { Builder } from '../build/builder.js';
import type { LoopGuard } from '../build/loop-guard.js';
import type { TypeChecker } from '../build/type-checker.js';
import { formatTypeErrors } from '../ui/report.js';
import type { BuildOutcome, BuildResult, HookName, HotEvent } from '../events.js';
import { groupListenAddress } from '../handoff/ports.js';
import { liveGroupMembers } from '../platform/proc.js';
import { changedPathsVariables } from '../supervise/env.js';
import { describeHookFailure, oneAtATime, type HookOutcome, type HookRunner } from './hooks.js';

/** What one build step needs of the pipeline that runs it. */
export interface BuildStep {
  config(): ResolvedConfig;
  builder(): Builder;
  checker(): TypeChecker;
  /** Where paths are shown relative to. */
  cwd: string;
  hooks: HookRunner;
  loopGuard: LoopGuard;
  isClosed(): boolean;
  emit(event: HotEvent): void;
}

/** Runs a hook with the program's environment; a failure is reported as an event. Files it writes count toward loop detection. */
async function runNamedHook(step: BuildStep, name: HookName, command: Command, values: Record<string, string>): Promise<HookOutcome | null> {
  const config = step.config();
  const hookFinished = step.loopGuard.hookStarted();
  // The build hooks get the build's environment too (build.env), the others the program's.
  const buildEnv = (name === 'pre_build' || name === 'post_build') && config.build.kind === 'command' ? config.build.env : {};
  const outcome = await step.hooks.run(name, command, config.watch.root, { ...process.env, ...config.run.env, ...buildEnv, ...values });
  hookFinished();
  if (outcome && !outcome.ok && name !== 'pre_build') step.emit({ type: 'hook-failed', hook: name, command: describeCommand(command), failure: describeHookFailure(outcome) });
  return outcome;
}

/**
 * Runs the hooks that go beside the cycle (on_restart, on_crash) with the command the config has when
 * each starts. on_crash runs one at a time per pipeline: a crash while one runs is queued once, and a
 * later crash replaces the queued one (see `oneAtATime`).
 */
export function createSideHooks(step: BuildStep, onError: (error: unknown) => void): (name: HookName, values: Record<string, string>) => void {
  const listening = listenWatch();
  const runHook = async (name: HookName, values: Record<string, string>): Promise<void> => {
    const { hooks } = step.config();
    const command = name === 'on_restart' ? hooks.onRestart : hooks.onCrash;
    if (!command) return;
    // A version gone before it listened (crashed, or replaced already) has nothing to answer.
    if (name === 'on_restart' && values.HOT_PID && !(await listening(Number(values.HOT_PID)))) return;
    await runNamedHook(step, name, command, values).catch(onError);
  };
  const crashHook = oneAtATime((values: Record<string, string>) => runHook('on_crash', values));
  return (name, values) => (name === 'on_crash' ? crashHook(values) : void runHook(name, values));
}

/** How long on_restart waits for a program to listen the first time; once one did, the next ones get LISTEN_WAIT_MAX_MS. */
const FIRST_LISTEN_WAIT_MS = 3000;
const LISTEN_WAIT_MAX_MS = 30_000;

/**
 * on_restart runs once the program can answer (a `curl` in it must work), also for programs hot sees
 * as started as soon as they run (a Go binary without [serve]): it waits until a process of the
 * program's group listens on a TCP port, or exits. A program that did not listen within
 * FIRST_LISTEN_WAIT_MS (a worker) has its later hooks run at once; one that did is waited for longer.
 */
function listenWatch(): (pid: number) => Promise<boolean> {
  let listens: boolean | null = null;
  return async (pid) => {
    if (listens === false) return true;
    const deadline = Date.now() + (listens ? LISTEN_WAIT_MAX_MS : FIRST_LISTEN_WAIT_MS);
    for (;;) {
      const now = groupListenAddress(null, pid);
      if (now === null) return true;
      if (now !== undefined) {
        listens = true;
        return true;
      }
      // Gone: it tells nothing about the next version.
      if ((liveGroupMembers(pid, 1) ?? []).length === 0) return false;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    listens ??= false;
    return true;
  };
}

/**
 * The gate of a cycle: the loop guard (when asked), pre_build, the build, then post_build. A failing
 * pre_build counts as a failed build.
 */
export async function runBuildStep(step: BuildStep, paths: readonly string[], checkLoop: boolean): Promise<BuildOutcome> {
  const loop = checkLoop ? step.loopGuard.isLooping(paths) : null;
  if (loop) return { type: 'loop', writer: loop };
  step.loopGuard.buildStarted();
  try {
    return await buildWithHooks(step, paths);
  } finally {
    step.loopGuard.buildFinished();
  }
}

async function buildWithHooks(step: BuildStep, paths: readonly string[]): Promise<BuildResult> {
  const { hooks } = step.config();
  const changed = changedPathsVariables(paths);
  if (hooks.preBuild) {
    const startedAt = Date.now();
    const outcome = await runNamedHook(step, 'pre_build', hooks.preBuild, changed);
    if (outcome && !outcome.ok) {
      return { type: 'build-failed', durationMs: Date.now() - startedAt, diagnostics: `hooks.pre_build (${describeCommand(hooks.preBuild)}) ${describeHookFailure(outcome)}` };
    }
  }
  // hot was closed while the hook ran: the builder is gone.
  if (step.isClosed()) return { type: 'build-failed', durationMs: 0, diagnostics: 'hot is shutting down' };
  const built = await step.builder().build(paths);
  const result = built.type === 'built' && step.config().check.types === 'block' && !step.isClosed() ? await withTypeVerdict(step, paths, built) : built;
  if (result.type === 'built' && hooks.postBuild && !step.isClosed()) {
    await runNamedHook(step, 'post_build', hooks.postBuild, { ...changed, HOT_BUILD_MS: String(result.durationMs) });
  }
  return result;
}

/** [check] types = "block": a build that passed waits for tsc's verdict on the same files; errors fail it. */
async function withTypeVerdict(step: BuildStep, paths: readonly string[], built: Extract<BuildResult, { type: 'built' }>): Promise<BuildResult> {
  const startedAt = Date.now();
  const verdict = await step.checker().verdict(paths);
  const durationMs = built.durationMs + (Date.now() - startedAt);
  if (verdict.type !== 'errors') return { ...built, durationMs };
  return { type: 'build-failed', durationMs, diagnostics: formatTypeErrors(verdict.diagnostics, step.cwd), cause: 'types' };
}
