import type { ChildExit, ConfigReload, CycleOutcome, HookName, HotEvent, JobControl, JobEvent, PipelineInput } from '../events.js';
import { decideAfterExit } from '../supervise/backoff.js';
import { changedPathsVariables } from '../supervise/env.js';
import { describeCycle, describeStartFailure, describeTrigger, unavailableAfterBuildFailure, unavailableAfterCrashes, UNAVAILABLE_AFTER_CLEAN_EXIT } from '../ui/report.js';
import { mergeCycle, type Cycle, type PipelineState, type RunningCycle } from './state.js';

/** What the pipeline's runner does for a decision; completions come back as inputs. */
export type Effect =
  | { type: 'emit'; event: HotEvent }
  | { type: 'job'; control: JobControl }
  /** Re-read the config file; answers with `config-loaded`. */
  | { type: 'reload-config' }
  /** pre_build, the build, post_build; answers with `built`. `checkLoop`: first ask the loop guard. */
  | { type: 'build'; paths: readonly string[]; checkLoop: boolean }
  /** A hook that runs beside the pipeline (on_restart, on_crash); its failure is reported as an event. */
  | { type: 'hook'; name: HookName; values: Record<string, string> }
  | { type: 'cycle-done'; cycle: Cycle; outcome: CycleOutcome };

export interface Decision {
  state: PipelineState;
  effects: Effect[];
}

/**
 * All of hot's runtime policy, as a pure function: coalescing, the build-then-restart decision, crash
 * backoff and the breaker, stop_on_error, write loops. No I/O, no clock but `now`.
 */
export function decide(state: PipelineState, input: PipelineInput, now: number): Decision {
  const effects: Effect[] = [];
  const next = step(state, input, now, effects);
  return { state: advance(next, now, effects), effects };
}

function step(state: PipelineState, input: PipelineInput, now: number, effects: Effect[]): PipelineState {
  if (state.phase.kind === 'closed') {
    // Callers waiting on a closed pipeline get an answer at once.
    const waiter = 'waiter' in input ? input.waiter : undefined;
    if (waiter !== undefined) effects.push({ type: 'cycle-done', cycle: asCycle('changes', [], null, waiter), outcome: 'skipped' });
    return state;
  }
  switch (input.type) {
    case 'start':
      return state.phase.kind === 'waiting' ? { ...state, publicUrl: input.publicUrl, phase: { kind: 'idle' }, next: mergeCycle(state.next, { ...asCycle('start', [], null), ...(input.launchedAt === undefined ? {} : { since: input.launchedAt }) }) } : state;
    case 'changes':
      return onChanges(state, input.paths, input.waiter, effects);
    case 'incoming':
      return { ...state, incoming: input.pending };
    case 'manual': {
      const cycle = asCycle(input.rebuildOnly ? 'changes' : 'manual', [], input.reason, input.waiter);
      return { ...state, next: mergeCycle(state.next, cycle) };
    }
    case 'upstream':
      return { ...state, next: mergeCycle(state.next, { ...asCycle('changes', input.paths, input.reason, input.waiter), own: false, upstream: true }) };
    case 'config-changed':
      return { ...state, next: mergeCycle(state.next, asCycle('config-changed', [input.file], null, input.waiter)) };
    case 'pause':
      return { ...state, paused: true };
    case 'resume': {
      const resumed = { ...state, paused: false, held: [] };
      return state.paused && state.held.length > 0 ? onChanges(resumed, state.held, undefined, effects) : resumed;
    }
    case 'close':
      return close(state, effects);
    case 'config-loaded':
      return onConfigLoaded(state, input.reload, effects);
    case 'built':
      return onBuilt(state, input, effects);
    case 'job':
      return onJobEvent(state, input.event, now, effects);
  }
}

function asCycle(trigger: Cycle['trigger'], paths: readonly string[], reason: string | null, waiter?: number): Cycle {
  return { trigger, paths: [...paths], reason, own: true, upstream: false, waiters: waiter === undefined ? [] : [waiter] };
}

function isConfigFile(state: PipelineState, file: string): boolean {
  return file === state.config.configFile || file === state.config.baseConfigFile || state.config.watch.appearing.includes(file);
}

function onChanges(state: PipelineState, paths: readonly string[], waiter: number | undefined, effects: Effect[]): PipelineState {
  if (state.paused) {
    const held = new Set(state.held);
    for (const file of paths) held.add(file);
    return { ...state, held: [...held] };
  }
  effects.push({ type: 'emit', event: { type: 'change', paths: [...paths] } });
  const trigger = paths.some((file) => isConfigFile(state, file)) ? 'config-changed' : 'changes';
  return { ...state, next: mergeCycle(state.next, asCycle(trigger, paths, null, waiter)) };
}

function close(state: PipelineState, effects: Effect[]): PipelineState {
  const running = 'cycle' in state.phase ? state.phase.cycle : null;
  for (const cycle of [running, state.next]) if (cycle) effects.push({ type: 'cycle-done', cycle, outcome: 'skipped' });
  return { ...state, phase: { kind: 'closed' }, next: null };
}

/** Begins the queued cycle when nothing else runs and no change is on its way to join it. */
function advance(state: PipelineState, now: number, effects: Effect[]): PipelineState {
  if (state.phase.kind !== 'idle' || !state.next || state.incoming) return state;
  // The first start's "ready in" is what the developer waited since launching hot.
  const cycle: RunningCycle = { ...state.next, startedAt: Math.min(now, state.next.since ?? now) };
  const ready = { ...state, next: null };
  if (cycle.trigger === 'retry') {
    // A build that started the program since the crash makes this retry stale.
    if (state.job !== 'backoff') return finish(ready, cycle, 'skipped', effects);
    effects.push({ type: 'job', control: { type: 'start', changedPaths: cycle.paths } });
    return { ...ready, job: 'starting', phase: { kind: 'starting', cycle, buildMs: null } };
  }
  if (cycle.trigger === 'config-changed') {
    effects.push({ type: 'reload-config' });
    return { ...ready, phase: { kind: 'reloading', cycle } };
  }
  return beginBuild(ready, cycle, effects);
}

function beginBuild(state: PipelineState, cycle: RunningCycle, effects: Effect[]): PipelineState {
  effects.push({ type: 'emit', event: { type: 'build-start' } });
  effects.push({ type: 'build', paths: cycle.paths, checkLoop: cycle.trigger === 'changes' });
  return { ...state, crashTimes: cycle.trigger === 'start' ? state.crashTimes : [], phase: { kind: 'building', cycle } };
}

function finish(state: PipelineState, cycle: Cycle, outcome: CycleOutcome, effects: Effect[]): PipelineState {
  effects.push({ type: 'cycle-done', cycle, outcome });
  return { ...state, phase: { kind: 'idle' }, lastOutcome: outcome === 'skipped' ? state.lastOutcome : outcome };
}

function onConfigLoaded(state: PipelineState, reload: ConfigReload, effects: Effect[]): PipelineState {
  if (state.phase.kind !== 'reloading') return state;
  const { cycle } = state.phase;
  if (reload.type === 'applied') {
    const runChanged = JSON.stringify(reload.config.run) !== JSON.stringify(state.config.run);
    if (runChanged) effects.push({ type: 'job', control: { type: 'reconfigure', run: reload.config.run } });
    effects.push({ type: 'emit', event: { type: 'config-reloaded', serveIgnored: reload.serveIgnored } });
    return beginBuild({ ...state, config: reload.config, runOutdated: state.runOutdated || runChanged }, cycle, effects);
  }
  if (reload.type === 'invalid') effects.push({ type: 'emit', event: { type: 'config-error', message: reload.message, ...(reload.hint ? { hint: reload.hint } : {}) } });
  // Not applied: the cycle goes on for the other files that changed with it, if any.
  const sourcePaths = cycle.paths.filter((file) => !isConfigFile(state, file));
  if (sourcePaths.length === 0) return finish(state, cycle, 'skipped', effects);
  return beginBuild(state, { ...cycle, trigger: 'changes', paths: sourcePaths }, effects);
}

function onBuilt(state: PipelineState, input: Extract<PipelineInput, { type: 'built' }>, effects: Effect[]): PipelineState {
  if (state.phase.kind !== 'building') return state;
  const { cycle } = state.phase;
  const { outcome } = input;
  // More changes are arriving (the rest of a checkout, a file still being written): this build is
  // already stale. Its cycle waits for them and is built once with them, one restart for all.
  // Only for changed files (a first start, a config reload keep their own course), and once per
  // cycle: a build that writes into watched files must not hold the program back for ever.
  if (state.incoming && cycle.trigger === 'changes' && !cycle.superseded && outcome.type !== 'loop') {
    effects.push({ type: 'emit', event: { type: 'build-superseded', durationMs: outcome.durationMs } });
    const folded = { ...cycle, superseded: true };
    return { ...state, phase: { kind: 'idle' }, next: state.next ? mergeCycle(folded, state.next) : mergeCycle(null, folded) };
  }
  if (outcome.type === 'loop') {
    effects.push({ type: 'emit', event: { type: 'restart-skipped', reason: `${outcome.writer}-loop`, paths: cycle.paths } });
    return finish(state, cycle, 'skipped', effects);
  }
  if (outcome.type === 'build-failed') return onBuildFailed(state, cycle, outcome, effects);
  effects.push({ type: 'emit', event: { type: 'build-ok', durationMs: outcome.durationMs, outputChanged: outcome.outputChanged } });
  const { config } = state;
  const reason = describeCycle(cycle, config, state.cwd, state.publicUrl);
  if (config.run.command === null) {
    effects.push({ type: 'emit', event: { type: 'built', durationMs: outcome.durationMs, reason } });
    return finish(state, cycle, 'built', effects);
  }
  // A package this one depends on changed: only a bundle that takes it in can tell whether that matters.
  const bundlesUpstream = config.build.kind === 'esbuild' && config.build.bundlePackages.length > 0;
  const mustRestart =
    cycle.trigger !== 'changes' || state.runOutdated || (cycle.upstream && !bundlesUpstream) || cycle.paths.some((file) => config.watch.alwaysWatch.includes(file));
  if (!outcome.outputChanged && state.job === 'running' && !mustRestart) {
    effects.push({ type: 'emit', event: { type: 'restart-skipped', reason: 'output-unchanged', paths: cycle.paths, buildMs: outcome.durationMs, why: describeTrigger(cycle, config, state.cwd) } });
    return finish(state, cycle, 'built', effects);
  }
  effects.push({ type: 'job', control: { type: 'start', changedPaths: cycle.paths } });
  const buildMs = outcome.durationMs > 0 ? outcome.durationMs : null;
  return { ...state, job: 'starting', runOutdated: false, phase: { kind: 'starting', cycle, buildMs } };
}

function onBuildFailed(state: PipelineState, cycle: RunningCycle, outcome: { durationMs: number; diagnostics: string; cause?: 'types' }, effects: Effect[]): PipelineState {
  const { diagnostics, durationMs } = outcome;
  const cause = outcome.cause ? { cause: outcome.cause } : {};
  const unavailable: Effect = { type: 'job', control: { type: 'unavailable', reason: unavailableAfterBuildFailure(diagnostics) } };
  // Type errors held back a build that worked: its output may equal the fix's (types are erased), so the fix restarts.
  const behind = { ...state, runOutdated: state.runOutdated || outcome.cause === 'types' };
  if (state.config.run.stopOnError && (state.job === 'running' || state.job === 'backoff')) {
    effects.push({ type: 'emit', event: { type: 'build-failed', durationMs, diagnostics, previous: 'stopped', ...cause } });
    effects.push({ type: 'job', control: { type: 'stop' } }, unavailable);
    return { ...behind, job: 'stopping', phase: { kind: 'stopping', cycle } };
  }
  const kept = state.job === 'running';
  effects.push({ type: 'emit', event: { type: 'build-failed', durationMs, diagnostics, previous: kept ? 'kept' : 'none', ...cause } });
  if (!kept) effects.push(unavailable);
  return finish(behind, cycle, 'build-failed', effects);
}

function onJobEvent(state: PipelineState, event: JobEvent, now: number, effects: Effect[]): PipelineState {
  switch (event.type) {
    case 'spawned':
      effects.push({ type: 'emit', event: { type: 'spawn', pid: event.pid, ...(event.warm ? { warm: true } : {}) } });
      return state;
    case 'standby':
      effects.push({ type: 'emit', event: { ...event } });
      return state;
    case 'ready':
      return onReady(state, event.pid, event.listenPending === true, now, effects);
    case 'listening': {
      const pending = state.listenPending;
      if (pending?.pid !== event.pid) return state;
      const listenedAt = Math.min(now, event.at ?? now);
      effects.push({ type: 'emit', event: { type: 'listening', pid: event.pid, readyMs: Math.max(0, listenedAt - pending.startedAt) } });
      return { ...state, listenPending: null };
    }
    case 'start-failed':
      return onStartFailed(state, event, now, effects);
    case 'exited':
      return onExited(state, event.exit, now, effects);
    case 'stopped':
      if (state.phase.kind === 'stopping') return finish({ ...state, job: 'idle' }, state.phase.cycle, 'build-failed', effects);
      return { ...state, job: state.job === 'stopping' ? 'idle' : state.job };
    case 'backoff-due':
      return state.job === 'backoff' ? { ...state, next: mergeCycle(state.next, asCycle('retry', [], state.retryReason)) } : state;
    case 'internal-error':
      // The runner reports it; a start it broke ends with its own start-failed.
      return state;
    case 'force-killed':
    case 'stuck':
    case 'env-file-problem':
    case 'port-taken':
      effects.push({ type: 'emit', event });
      return state;
    case 'ready-assumed':
      effects.push({ type: 'emit', event: { ...event } });
      return state;
    case 'holding':
      effects.push({ type: 'emit', event: { type: 'holding', addresses: [...event.addresses], ...(event.proxied ? { proxied: true } : {}) } });
      return state;
    case 'released':
      effects.push({ type: 'emit', event: { type: event.type, addresses: [...event.addresses] } });
      return state;
  }
}

function onReady(state: PipelineState, pid: number, listenPending: boolean, now: number, effects: Effect[]): PipelineState {
  if (state.phase.kind !== 'starting') return { ...state, job: 'running' };
  const { cycle, buildMs } = state.phase;
  const reason = cycle.trigger === 'retry' ? (cycle.reason ?? 'restarting after crash') : describeCycle(cycle, state.config, state.cwd, state.publicUrl);
  effects.push({ type: 'emit', event: { type: 'ready', pid, readyMs: now - cycle.startedAt, buildMs, reason, ...(listenPending ? { listenPending } : {}) } });
  if (state.config.hooks.onRestart) effects.push({ type: 'hook', name: 'on_restart', values: { ...changedPathsVariables(cycle.paths), HOT_PID: String(pid) } });
  return finish({ ...state, job: 'running', listenPending: listenPending ? { pid, startedAt: cycle.startedAt } : null }, cycle, 'built', effects);
}

function onStartFailed(state: PipelineState, event: Extract<JobEvent, { type: 'start-failed' }>, now: number, effects: Effect[]): PipelineState {
  const cycle = state.phase.kind === 'starting' ? state.phase.cycle : null;
  const { failure } = event;
  const hint = failure.cause === 'spawn' ? failure.error.hint : undefined;
  const reason = describeStartFailure(failure, state.config.serve);
  // A save that broke the start is named, as on the line of a restart that worked.
  const after = cycle && cycle.trigger !== 'start' && cycle.trigger !== 'retry' ? describeTrigger(cycle, state.config, state.cwd) : null;
  effects.push({ type: 'emit', event: { type: 'start-failed', reason, cause: failure.cause, pid: event.pid, oldServing: event.oldServing, ...(hint ? { hint } : {}), ...(after ? { after } : {}) } });
  let next: PipelineState = { ...state, job: event.oldServing ? 'running' : 'idle' };
  if (!event.oldServing) {
    if (failure.cause === 'spawn') {
      // A command that cannot start will not start on retry either: wait for a change.
      effects.push({ type: 'job', control: { type: 'unavailable', reason } }, { type: 'job', control: { type: 'trip' } });
      next = { ...next, job: 'tripped' };
    } else {
      const exit = event.exit ?? { pid: event.pid, code: null, signal: null, uptimeMs: 0, requested: false, beforeReady: true };
      next = applyCrashPolicy(next, exit, now, effects);
    }
  }
  return cycle ? finish(next, cycle, 'built', effects) : next;
}

function onExited(state: PipelineState, exit: ChildExit, now: number, effects: Effect[]): PipelineState {
  effects.push({ type: 'emit', event: { type: 'exit', pid: exit.pid, code: exit.code, signal: exit.signal, requested: exit.requested } });
  // Asked for, or a start that failed (its start-failed says so), or a new version is on its way.
  if (exit.requested || exit.beforeReady || state.phase.kind === 'starting') return state;
  return applyCrashPolicy(state, exit, now, effects);
}

function applyCrashPolicy(state: PipelineState, exit: ChildExit, now: number, effects: Effect[]): PipelineState {
  const { decision, crashTimes } = decideAfterExit(exit, state.crashTimes, now, state.config.restart);
  const next = { ...state, crashTimes };
  const { onCrash } = state.config.hooks;
  if (onCrash && decision.action !== 'wait') {
    effects.push({ type: 'hook', name: 'on_crash', values: { HOT_EXIT_CODE: exit.code === null ? '' : String(exit.code), HOT_SIGNAL: exit.signal ?? '', HOT_PID: String(exit.pid) } });
  }
  switch (decision.action) {
    case 'wait': {
      const { onCleanExit, cleanExitDelayMs } = state.config.restart;
      if (onCleanExit === 'restart') {
        // air's rerun: not a crash, so neither the breaker nor on_crash hears of it.
        effects.push({ type: 'emit', event: { type: 'clean-exit', pid: exit.pid, restartInMs: cleanExitDelayMs } }, { type: 'job', control: { type: 'backoff', delayMs: cleanExitDelayMs } });
        return { ...next, job: 'backoff', retryReason: 'restarting after a clean exit' };
      }
      effects.push({ type: 'emit', event: { type: 'clean-exit', pid: exit.pid, ...(state.config.listenHint ? { hint: state.config.listenHint } : {}) } }, { type: 'job', control: { type: 'unavailable', reason: UNAVAILABLE_AFTER_CLEAN_EXIT } });
      return { ...next, job: 'idle' };
    }
    case 'restart':
      effects.push(
        { type: 'emit', event: { type: 'crash', pid: exit.pid, code: exit.code, signal: exit.signal, attempt: decision.attempt, maxRestarts: decision.maxRestarts, delayMs: decision.delayMs } },
        { type: 'job', control: { type: 'backoff', delayMs: decision.delayMs } },
      );
      return { ...next, job: 'backoff', retryReason: null };
    case 'trip':
      effects.push(
        { type: 'emit', event: { type: 'circuit-open', pid: exit.pid, code: exit.code, signal: exit.signal, crashes: decision.crashes, windowMs: decision.windowMs } },
        { type: 'job', control: { type: 'unavailable', reason: unavailableAfterCrashes(decision.crashes, decision.windowMs, exit) } },
        { type: 'job', control: { type: 'trip' } },
      );
      return { ...next, job: 'tripped' };
  }
}
