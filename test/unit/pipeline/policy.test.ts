import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/resolve.js';
import type { UserConfig } from '../../../src/config/schema.js';
import type { JobEvent, PipelineInput } from '../../../src/events.js';
import { decide, type Effect } from '../../../src/pipeline/policy.js';
import { initialState, type PipelineState } from '../../../src/pipeline/state.js';

const ROOT = path.resolve('/projects/app');
const FILE = path.join(ROOT, 'src/a.ts');

function configOf(user: UserConfig = {}) {
  return resolveConfig({ user: { bin: { kind: 'argv', argv: ['node', 'app.mjs'] }, ...user }, configFile: path.join(ROOT, '.hotrc.toml'), cwd: ROOT, overrides: {}, cacheDir: '/cache', displayFile: '.hotrc.toml' });
}

/** Feeds inputs one after the other from `state`, with a clock that moves 10 ms per input. */
function run(state: PipelineState, inputs: PipelineInput[], start = 1000): { state: PipelineState; effects: Effect[] } {
  const effects: Effect[] = [];
  let now = start;
  for (const input of inputs) {
    const decision = decide(state, input, now);
    state = decision.state;
    effects.push(...decision.effects);
    now += 10;
  }
  return { state, effects };
}

const job = (event: JobEvent): PipelineInput => ({ type: 'job', event });
const built = (outputChanged = true): PipelineInput => ({ type: 'built', outcome: { type: 'built', durationMs: 5, outputChanged } });
const types = (effects: Effect[]) => effects.map((effect) => (effect.type === 'emit' ? `emit:${effect.event.type}` : effect.type === 'job' ? `job:${effect.control.type}` : effect.type));

/** A pipeline whose program runs: started, built, ready. */
function running(user: UserConfig = {}): PipelineState {
  return run(initialState(configOf(user), ROOT), [{ type: 'start', publicUrl: null }, built(), job({ type: 'spawned', pid: 7, restartCount: 0 }), job({ type: 'ready', pid: 7 })]).state;
}

describe('decide', () => {
  it('starts with a build, then starts the job, and the cycle ends when the job is ready', () => {
    const first = run(initialState(configOf(), ROOT), [{ type: 'start', publicUrl: 'http://localhost:3000' }]);
    expect(types(first.effects)).toEqual(['emit:build-start', 'build']);
    const next = run(first.state, [built(), job({ type: 'ready', pid: 7 })]);
    expect(types(next.effects)).toEqual(['emit:build-ok', 'job:start', 'emit:ready', 'cycle-done']);
    const ready = next.effects.find((effect) => effect.type === 'emit' && effect.event.type === 'ready');
    expect(ready).toMatchObject({ event: { pid: 7, reason: 'started node app.mjs on http://localhost:3000' } });
    expect(next.state.job).toBe('running');
  });

  it('counts the first start\'s "ready in" from hot\'s launch when it is given, and a restart\'s from its change', () => {
    const readyMs = (effects: Effect[]) => effects.flatMap((effect) => (effect.type === 'emit' && effect.event.type === 'ready' ? [effect.event.readyMs] : []));
    // The clock reads 1000 at the start and moves 10 ms per input; hot was launched at 400.
    const first = run(initialState(configOf(), ROOT), [{ type: 'start', publicUrl: null, launchedAt: 400 }, built(), job({ type: 'ready', pid: 7 })]);
    expect(readyMs(first.effects)).toEqual([1020 - 400]);
    const restart = run(first.state, [{ type: 'changes', paths: [FILE] }, built(), job({ type: 'ready', pid: 8 })], 5000);
    expect(readyMs(restart.effects)).toEqual([20]);
    // Without a launch time (the API), from the first cycle's start.
    const api = run(initialState(configOf(), ROOT), [{ type: 'start', publicUrl: null }, built(), job({ type: 'ready', pid: 7 })]);
    expect(readyMs(api.effects)).toEqual([20]);
  });

  it('says when a program that was started early listened, not when hot heard it', () => {
    const listenMs = (effects: Effect[]) => effects.flatMap((effect) => (effect.type === 'emit' && effect.event.type === 'listening' ? [effect.event.readyMs] : []));
    const start = [{ type: 'start', publicUrl: null, launchedAt: 400 } as const, built(), job({ type: 'ready', pid: 7, listenPending: true })];
    // Heard at 1030, listened at 520: 120 ms after the launch.
    expect(listenMs(run(initialState(configOf(), ROOT), [...start, job({ type: 'listening', pid: 7, at: 520 })]).effects)).toEqual([120]);
    expect(listenMs(run(initialState(configOf(), ROOT), [...start, job({ type: 'listening', pid: 7 })]).effects)).toEqual([1030 - 400]);
  });

  it('keeps the program through a build held by type errors, and restarts on the fix even when its output is the same', () => {
    const held = run(running(), [
      { type: 'changes', paths: [FILE] },
      { type: 'built', outcome: { type: 'build-failed', durationMs: 300, diagnostics: 'src/a.ts:1:7 - error TS2322: x', cause: 'types' } },
    ]);
    expect(types(held.effects)).toEqual(['emit:change', 'emit:build-start', 'build', 'emit:build-failed', 'cycle-done']);
    expect(held.effects.find((effect) => effect.type === 'emit' && effect.event.type === 'build-failed')).toMatchObject({ event: { previous: 'kept', cause: 'types' } });
    // Types are erased: the fix's JavaScript is the held build's, so "output unchanged" must not skip it.
    const fixed = run(held.state, [{ type: 'changes', paths: [FILE] }, built(false)]);
    expect(types(fixed.effects)).toEqual(['emit:change', 'emit:build-start', 'build', 'emit:build-ok', 'job:start']);
  });

  it('queues exactly one more cycle for changes made during a build, with every path', () => {
    let state = running();
    state = run(state, [{ type: 'changes', paths: [FILE] }]).state;
    const during = run(state, [{ type: 'changes', paths: [path.join(ROOT, 'b.ts')] }, { type: 'changes', paths: [path.join(ROOT, 'c.ts')] }]);
    expect(types(during.effects).filter((type) => type === 'build')).toEqual([]);
    expect(during.state.next?.paths).toEqual([path.join(ROOT, 'b.ts'), path.join(ROOT, 'c.ts')]);
    const after = run(during.state, [built(), job({ type: 'ready', pid: 8 })]);
    expect(types(after.effects).filter((type) => type === 'build')).toEqual(['build']);
    expect(after.state.next).toBeNull();
  });

  it('drops a build that finishes while more changes are being collected, and builds once with all of them', () => {
    const other = path.join(ROOT, 'b.ts');
    let state = running();
    state = run(state, [{ type: 'changes', paths: [FILE] }, { type: 'incoming', pending: true }]).state;
    const stale = run(state, [built()]);
    expect(types(stale.effects)).toEqual(['emit:build-superseded']);
    // Nothing starts while the rest is on its way, not even the folded cycle.
    expect(stale.state.phase.kind).toBe('idle');
    expect(stale.state.next?.paths).toEqual([FILE]);
    const arrived = run(stale.state, [{ type: 'changes', paths: [other] }]);
    expect(types(arrived.effects)).toEqual(['emit:change']);
    const settled = run(arrived.state, [{ type: 'incoming', pending: false }]);
    expect(types(settled.effects)).toEqual(['emit:build-start', 'build']);
    const restarted = run(settled.state, [built(), job({ type: 'ready', pid: 8 })]);
    expect(types(restarted.effects)).toEqual(['emit:build-ok', 'job:start', 'emit:ready', 'cycle-done']);
    const done = restarted.effects.find((effect) => effect.type === 'cycle-done');
    expect(done).toMatchObject({ cycle: { paths: [FILE, other] } });
  });

  it('drops a build for incoming changes once per cycle: the next one starts the program whatever arrives', () => {
    let state = running();
    state = run(state, [{ type: 'changes', paths: [FILE] }, { type: 'incoming', pending: true }, built(), { type: 'changes', paths: [FILE] }, { type: 'incoming', pending: false }]).state;
    // A build that writes into watched files: changes are on their way again when it ends.
    const again = run(state, [{ type: 'incoming', pending: true }, built()]);
    expect(types(again.effects)).toEqual(['emit:build-ok', 'job:start']);
  });

  it('starts the program as before when no change is on its way', () => {
    let state = running();
    state = run(state, [{ type: 'changes', paths: [FILE] }, { type: 'incoming', pending: true }, { type: 'incoming', pending: false }]).state;
    expect(types(run(state, [built()]).effects)).toEqual(['emit:build-ok', 'job:start']);
  });

  it('skips the restart when the output is byte-identical', () => {
    const { effects, state } = run(running(), [{ type: 'changes', paths: [FILE] }, built(false)]);
    expect(types(effects)).toContain('emit:restart-skipped');
    expect(types(effects)).not.toContain('job:start');
    expect(state.phase.kind).toBe('idle');
  });

  it('keeps the previous program when the build fails, and stops it with stop_on_error', () => {
    const failed: PipelineInput = { type: 'built', outcome: { type: 'build-failed', durationMs: 3, diagnostics: 'a.ts:1:1: error' } };
    const kept = run(running(), [{ type: 'changes', paths: [FILE] }, failed]);
    expect(kept.effects).toContainEqual({ type: 'emit', event: expect.objectContaining({ type: 'build-failed', previous: 'kept' }) });
    expect(types(kept.effects)).not.toContain('job:stop');
    const stopping = run(running({ run: { stopOnError: true } }), [{ type: 'changes', paths: [FILE] }, failed]);
    expect(types(stopping.effects)).toContain('job:stop');
    expect(stopping.state.phase.kind).toBe('stopping');
    expect(run(stopping.state, [job({ type: 'stopped' })]).state.phase.kind).toBe('idle');
  });

  it('backs off after a crash with a doubling delay, then trips the breaker', () => {
    let state = running();
    const delays: number[] = [];
    for (let crash = 0; crash < 6; crash++) {
      const exit = { pid: 7, code: 1, signal: null, uptimeMs: 5, requested: false, beforeReady: false };
      const after = run(state, [job({ type: 'exited', exit })], 2000 + crash * 100);
      for (const effect of after.effects) if (effect.type === 'job' && effect.control.type === 'backoff') delays.push(effect.control.delayMs);
      state = after.state;
      if (state.job === 'backoff') state = run(state, [job({ type: 'backoff-due' }), job({ type: 'ready', pid: 7 })], 2050 + crash * 100).state;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600]);
    expect(state.job).toBe('tripped');
  });

  it('reports a start that timed out as a start failure with its pid, and counts it as a crash', () => {
    let state = run(initialState(configOf(), ROOT), [{ type: 'start', publicUrl: null }, built()]).state;
    const { effects } = run(state, [job({ type: 'start-failed', pid: 42, failure: { cause: 'timeout', timeoutMs: 500 }, oldServing: false, exit: { pid: 42, code: null, signal: null, uptimeMs: 500, requested: true, beforeReady: true } })]);
    expect(effects).toContainEqual({ type: 'emit', event: expect.objectContaining({ type: 'start-failed', pid: 42, cause: 'timeout', reason: 'it did not listen on every port the running version listens on within 500 ms, so hot stopped it' }) });
    expect(effects).toContainEqual({ type: 'emit', event: expect.objectContaining({ type: 'crash', pid: 42, code: null }) });
    state = run(state, []).state;
  });

  it('names the change a failed restart was for, and nothing for a first start', () => {
    const exit = { pid: 9, code: 1, signal: null, uptimeMs: 5, requested: false, beforeReady: true };
    const failedRestart = run(running(), [{ type: 'changes', paths: [FILE] }, built(), job({ type: 'start-failed', pid: 9, failure: { cause: 'exited', code: 1, signal: null }, oldServing: true, exit })]);
    expect(failedRestart.effects).toContainEqual({ type: 'emit', event: expect.objectContaining({ type: 'start-failed', pid: 9, oldServing: true, after: `${path.join('src', 'a.ts')} changed` }) });
    const first = run(run(initialState(configOf(), ROOT), [{ type: 'start', publicUrl: null }, built()]).state, [job({ type: 'start-failed', pid: 9, failure: { cause: 'exited', code: 1, signal: null }, oldServing: false, exit })]);
    const event = first.effects.find((effect) => effect.type === 'emit' && effect.event.type === 'start-failed');
    expect(event).toBeDefined();
    expect(event).not.toHaveProperty('event.after');
  });

  it('holds changes while paused and acts on all of them in one cycle at resume', () => {
    const paused = run(running(), [{ type: 'pause' }, { type: 'changes', paths: [FILE] }, { type: 'changes', paths: [FILE, path.join(ROOT, 'b.ts')] }]);
    expect(types(paused.effects)).toEqual([]);
    const resumed = run(paused.state, [{ type: 'resume' }]);
    expect(types(resumed.effects)).toEqual(['emit:change', 'emit:build-start', 'build']);
    expect(resumed.effects[0]).toMatchObject({ event: { paths: [FILE, path.join(ROOT, 'b.ts')] } });
  });

  it('a retry after a backoff is dropped when a build started the program meanwhile', () => {
    const exit = { pid: 7, code: 1, signal: null, uptimeMs: 5, requested: false, beforeReady: false };
    let state = run(running(), [job({ type: 'exited', exit }), { type: 'changes', paths: [FILE] }]).state;
    state = run(state, [built(), job({ type: 'ready', pid: 9 })]).state;
    const late = run(state, [job({ type: 'backoff-due' })]);
    expect(types(late.effects)).not.toContain('job:start');
  });

  it('a clean exit carries the listen() hint of the config, when it has one', () => {
    const exit = { pid: 7, code: 0, signal: null, uptimeMs: 5, requested: false, beforeReady: false };
    const plain = run(running(), [job({ type: 'exited', exit })]);
    expect(plain.effects).toContainEqual({ type: 'emit', event: { type: 'clean-exit', pid: 7 } });
    const hint = 'src/index.ts never calls listen(); src/server.ts does: run `hot src/server.ts`';
    const state = running();
    const hinted = run({ ...state, config: { ...state.config, listenHint: hint } }, [job({ type: 'exited', exit })]);
    expect(hinted.effects).toContainEqual({ type: 'emit', event: { type: 'clean-exit', pid: 7, hint } });
  });

  it('with on_clean_exit = "restart", a clean exit backs off for clean_exit_delay and retries as such, outside the crash count', () => {
    const exit = { pid: 7, code: 0, signal: null, uptimeMs: 5, requested: false, beforeReady: false };
    const state = running();
    const config = { ...state.config, restart: { ...state.config.restart, onCleanExit: 'restart' as const, cleanExitDelayMs: 250 } };
    const exited = run({ ...state, config }, [job({ type: 'exited', exit })]);
    expect(exited.effects).toEqual([
      { type: 'emit', event: { type: 'exit', pid: 7, code: 0, signal: null, requested: false } },
      { type: 'emit', event: { type: 'clean-exit', pid: 7, restartInMs: 250 } },
      { type: 'job', control: { type: 'backoff', delayMs: 250 } },
    ]);
    expect(exited.state.crashTimes).toEqual([]);
    const retried = run(exited.state, [job({ type: 'backoff-due' }), built(), job({ type: 'ready', pid: 9 })]);
    expect(retried.effects).toContainEqual({ type: 'emit', event: expect.objectContaining({ type: 'ready', pid: 9, reason: 'restarting after a clean exit' }) });
  });

  it('answers waiters with skipped when closed', () => {
    const closed = run(running(), [{ type: 'changes', paths: [FILE], waiter: 1 }, { type: 'close' }]);
    expect(closed.effects).toContainEqual({ type: 'cycle-done', cycle: expect.objectContaining({ waiters: [1] }), outcome: 'skipped' });
    const late = run(closed.state, [{ type: 'manual', rebuildOnly: false, reason: 'r', waiter: 2 }]);
    expect(late.effects).toEqual([{ type: 'cycle-done', cycle: expect.objectContaining({ waiters: [2] }), outcome: 'skipped' }]);
  });
});
