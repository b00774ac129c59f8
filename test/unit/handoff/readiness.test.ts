import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitForReadiness, type Readiness, type ReadinessSources } from '../../../src/handoff/readiness.js';
import { openNotifyDir } from '../../../src/platform/notify-socket.js';

const TIMING = { quietMs: 500, timeoutMs: 10_000 };

interface Streams {
  readyPipe: PassThrough;
  stdout: PassThrough;
  stderr: PassThrough;
  notify: (line: string) => void;
}

/** The readiness of one generation whose pipe, output and notify lines the test writes. */
function start(pattern: RegExp | null, signal = new AbortController().signal, announced = false): { streams: Streams; outcome: Promise<Readiness>; settled: () => Readiness | 'pending' } {
  const listeners = new Set<(line: string) => void>();
  const streams: Streams = { readyPipe: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), notify: (line) => listeners.forEach((listener) => listener(line)) };
  const sources: ReadinessSources = {
    ...streams,
    pattern,
    announced,
    notify: (onLine) => {
      listeners.add(onLine);
      return () => listeners.delete(onLine);
    },
  };
  let result: Readiness | 'pending' = 'pending';
  const outcome = waitForReadiness(sources, TIMING, signal);
  void outcome.then((value) => (result = value), () => {});
  return { streams, outcome, settled: () => result };
}

describe('waitForReadiness', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is signalled by READY=1 on the ready pipe, even split across writes', async () => {
    const { streams, outcome } = start(null);
    streams.readyPipe.write('STATUS=preloaded\nREA');
    streams.readyPipe.write('DY=1\n');
    await expect(outcome).resolves.toBe('signalled');
  });

  it('is signalled by READY=1 among the lines of a notify datagram', async () => {
    const { streams, outcome } = start(null);
    streams.notify('STATUS=starting');
    streams.notify('READY=1');
    await expect(outcome).resolves.toBe('signalled');
  });

  it('is signalled by a ready_pattern line on stdout or on stderr, not by other lines', async () => {
    const first = start(/^serving/);
    first.streams.stdout.write('booting\nserving on :8080\n');
    await expect(first.outcome).resolves.toBe('signalled');
    const second = start(/^serving/);
    second.streams.stderr.write('2026/12/02 serving\n');
    second.streams.stderr.write('serving\n');
    await expect(second.outcome).resolves.toBe('signalled');
  });

  it('takes a program that says nothing as ready once it has run quietMs', async () => {
    const { settled } = start(null);
    await vi.advanceTimersByTimeAsync(499);
    expect(settled()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(settled()).toBe('silent');
  });

  it.each([
    ['a ready_pattern is set', /^never/, (_: Streams) => {}],
    ['the preload said it is there', null, (streams: Streams) => streams.readyPipe.write('STATUS=preloaded\n')],
    ['a notify message came', null, (streams: Streams) => streams.notify('STATUS=loading config')],
    ['an earlier version announced itself', null, 'earlier' as const],
  ])('waits for the signal, not quietMs, when %s; at timeoutMs it is taken as ready all the same', async (_case, pattern, announce) => {
    const { streams, settled } = start(pattern, undefined, announce === 'earlier');
    if (announce !== 'earlier') announce(streams);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(settled()).toBe('timeout');
  });

  it('rejects when aborted (the generation exited or hot stops)', async () => {
    const abort = new AbortController();
    const { outcome } = start(null, abort.signal);
    abort.abort();
    await expect(outcome).rejects.toThrow('aborted');
  });
});

describe('openNotifyDir', () => {
  it('gives each generation its own socket path under one private directory', () => {
    // An optional dependency, built by npm ci here (python3, make and g++ are on the machine).
    const dir = openNotifyDir();
    expect(dir).not.toBeNull();
    if (!dir) return;
    const a = dir.open('1', () => {});
    const b = dir.open('2', () => {});
    expect(a?.path).toMatch(/hot-notify-[^/]+\/1\.sock$/);
    expect(b?.path).not.toBe(a?.path);
    expect(a!.path.length).toBeLessThan(108);
    dir.close();
  });
});
