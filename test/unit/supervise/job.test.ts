import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedRun } from '../../../src/config/schema.js';
import type { Handoff, JobEvent } from '../../../src/events.js';
import type { ChildHandle, ChildSpec, ChildStatus } from '../../../src/supervise/child.js';
import { createJob } from '../../../src/supervise/job.js';

const RUN: ResolvedRun = { command: { kind: 'argv', argv: ['node', 'app.mjs'] }, cwd: '/app', env: {}, envFiles: [], killSignal: 'SIGTERM', killTimeoutMs: 3000, stopOnError: false };

interface FakeChild extends ChildHandle {
  spec: ChildSpec;
  stops: Array<{ signal: NodeJS.Signals; timeoutMs: number }>;
  exit(status: ChildStatus): void;
}

/** A fake spawn: each child exits when stopped or when the test says so. */
function fakeSpawn() {
  const children: FakeChild[] = [];
  let nextPid = 100;
  const spawn = (spec: ChildSpec): ChildHandle => {
    let settle: (status: ChildStatus) => void = () => {};
    const exited = new Promise<ChildStatus>((resolve) => (settle = resolve));
    const child: FakeChild = {
      spec,
      pid: nextPid++,
      startedAt: Date.now(),
      exited,
      output: null,
      errorOutput: null,
      stdout: null,
      extraStreams: [],
      channel: null,
      stops: [],
      exit: (status) => settle(status),
      async stop(signal, timeoutMs) {
        child.stops.push({ signal, timeoutMs });
        settle({ code: null, signal });
        return { forced: false };
      },
      kill: () => settle({ code: null, signal: 'SIGKILL' }),
    };
    children.push(child);
    return child;
  };
  return { spawn, children };
}

/** Collects job events and lets a test wait for the next one of a type. */
function recorder() {
  const events: JobEvent[] = [];
  const waiting: Array<{ type: JobEvent['type']; resolve: (event: JobEvent) => void }> = [];
  return {
    events,
    onEvent(event: JobEvent) {
      events.push(event);
      for (const waiter of waiting.splice(0)) {
        if (waiter.type === event.type) waiter.resolve(event);
        else waiting.push(waiter);
      }
    },
    next<T extends JobEvent['type']>(type: T): Promise<Extract<JobEvent, { type: T }>> {
      return new Promise((resolve) => waiting.push({ type, resolve: resolve as (event: JobEvent) => void }));
    },
  };
}

function fakeHandoff(ready: (generation: number) => Promise<void>): Handoff & { active: number[] } {
  const active: number[] = [];
  return {
    active,
    readyTimeoutMs: 50,
    drainTimeoutMs: 100,
    graceMs: 0,
    open: async () => 'http://localhost:1',
    startsBeside: () => true,
    prepare: async (generation) => ({ env: { PORT: String(4000 + generation) } }),
    attach: () => {},
    waitReady: (generation) => ready(generation),
    activate: (generation) => active.push(generation),
    vacate: () => {},
    retired: () => {},
    unavailable: () => {},
    announce: () => {},
    close: async () => {},
  };
}

describe('job', () => {
  it('without a handoff stops the old generation before it starts the new one', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: RUN, spawn, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    expect((await record.next('ready')).pid).toBe(100);
    expect(job.state).toBe('running');
    job.send({ type: 'start', changedPaths: ['/app/a.ts'] });
    expect((await record.next('ready')).pid).toBe(101);
    expect(children[0]!.stops).toEqual([{ signal: 'SIGTERM', timeoutMs: 3000 }]);
    expect(children[1]!.spec.env.HOT_RESTART_COUNT).toBe('1');
    expect(children[1]!.spec.env.HOT_CHANGED).toBe('/app/a.ts');
    await job.close();
  });

  it('a [run] change applies to the next generation; the running one stops with its own settings', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: RUN, spawn, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    job.send({ type: 'reconfigure', run: { ...RUN, env: { MODE: 'two' }, killSignal: 'SIGINT', killTimeoutMs: 500 } });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    expect(children[0]!.stops).toEqual([{ signal: 'SIGTERM', timeoutMs: 3000 }]);
    expect(children[1]!.spec.env.MODE).toBe('two');
    await job.close();
    expect(children[1]!.stops).toEqual([{ signal: 'SIGINT', timeoutMs: 500 }]);
  });

  it('with a handoff switches only once the new generation is ready', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const handoff = fakeHandoff(async () => {});
    const job = createJob({ run: RUN, spawn, handoff, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    expect(handoff.active).toEqual([1, 2]);
    expect(children[1]!.spec.env.PORT).toBe('4002');
    await job.close();
    expect(children[0]!.stops).toEqual([{ signal: 'SIGTERM', timeoutMs: 100 }]);
  });

  it('reports a start that never became ready with its real pid, and stops that process', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: RUN, spawn, handoff: fakeHandoff(() => new Promise(() => {})), onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    const failed = await record.next('start-failed');
    expect(failed).toMatchObject({ pid: 100, failure: { cause: 'timeout', timeoutMs: 50 }, oldServing: false });
    expect(children[0]!.stops.length).toBe(1);
    await job.close();
  });

  it('reports a crash of the running generation, and a command that cannot start as a spawn failure', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: RUN, spawn, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    children[0]!.exit({ code: 3, signal: null });
    expect((await record.next('exited')).exit).toMatchObject({ pid: 100, code: 3, requested: false, beforeReady: false });
    expect(job.state).toBe('idle');
    const failing = createJob({
      run: RUN,
      spawn: () => ({ ...children[0]!, pid: 0, exited: Promise.resolve({ code: null, signal: null, spawnError: Object.assign(new Error('cannot start node: command not found'), { code: 'SPAWN' }) as never }) }),
      onEvent: record.onEvent,
    });
    failing.send({ type: 'start', changedPaths: [] });
    expect((await record.next('start-failed')).failure).toMatchObject({ cause: 'spawn' });
    await Promise.all([job.close(), failing.close()]);
  });

  it('an env file no environment can hold fails the start before the running generation is stopped', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hot-job-'));
    const envFile = path.join(dir, '.env');
    writeFileSync(envFile, 'GREETING=hello\n');
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: { ...RUN, envFiles: [envFile] }, spawn, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('ready');
    writeFileSync(envFile, Buffer.from('\uFEFFGREETING=hello\r\n', 'utf16le'));
    job.send({ type: 'start', changedPaths: [envFile] });
    const outcome = await Promise.race([record.next('start-failed'), record.next('ready')]);
    expect(outcome).toMatchObject({ type: 'start-failed', pid: 0, oldServing: true, failure: { cause: 'spawn', error: { message: `${envFile} looks like UTF-16: save it as UTF-8` } } });
    expect(children[0]!.stops).toEqual([]);
    expect([job.state, job.pid, children.length]).toEqual(['running', 100, 1]);
    writeFileSync(envFile, 'GREETING=bonjour\n');
    job.send({ type: 'start', changedPaths: [envFile] });
    await record.next('ready');
    expect(children[1]!.spec.env.GREETING).toBe('bonjour');
    await job.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('close() stops a generation that is still starting', async () => {
    const { spawn, children } = fakeSpawn();
    const record = recorder();
    const job = createJob({ run: RUN, spawn, handoff: { ...fakeHandoff(() => new Promise(() => {})), readyTimeoutMs: 60_000 }, onEvent: record.onEvent });
    job.send({ type: 'start', changedPaths: [] });
    await record.next('spawned');
    await job.close();
    expect(children[0]!.stops.length).toBe(1);
  });

  it('a bug while starting is reported with its error, and the start still ends', async () => {
    const record = recorder();
    const job = createJob({
      run: RUN,
      spawn: () => {
        throw new TypeError('a bug in a spawn');
      },
      onEvent: record.onEvent,
    });
    job.send({ type: 'start', changedPaths: [] });
    const [bug, failed] = await Promise.all([record.next('internal-error'), record.next('start-failed')]);
    expect((bug.error as Error).message).toBe('a bug in a spawn');
    expect(failed.failure).toMatchObject({ cause: 'spawn' });
    expect(job.state).toBe('idle');
    await job.close();
  });
});
