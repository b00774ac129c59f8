import { describe, expect, it } from 'vitest';
import type { GenerationChannel, JobEvent, ReadinessSource } from '../../../src/events.js';
import { createHoldHandoff } from '../../../src/handoff/hold.js';

const SERVE = { strategy: 'hold', port: null, readyTimeoutMs: 1000, drainTimeoutMs: null, graceMs: 0, liveReload: false, allowedHosts: [] } as const;

/** A generation's side of the channel: what it would send, and what hot sent it. */
function fakeGeneration(): { child: ReadinessSource; say(message: Record<string, unknown>, handle?: unknown): void; received: unknown[] } {
  const listeners: Array<(message: Record<string, unknown>, handle: unknown) => void> = [];
  const received: unknown[] = [];
  const channel: GenerationChannel = { send: (message) => received.push(message), onMessage: (listener) => listeners.push(listener), closed: Promise.resolve() };
  return { child: { pid: 1, stdout: null, extraStreams: [], channel }, say: (message, handle) => listeners.forEach((listener) => listener(message, handle)), received };
}

function fakeSocket(address: string, port: number): { closed: boolean; getsockname(out: { address?: string; port?: number }): number; close(): void } {
  return {
    closed: false,
    getsockname(out) {
      out.address = address;
      out.port = port;
      return 0;
    },
    close() {
      this.closed = true;
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('held sockets (handoff)', () => {
  it('restarts in place until the program listens; then hands the socket to the next generation as fd 4', async () => {
    const handoff = createHoldHandoff(SERVE);
    const events: JobEvent[] = [];
    const first = fakeGeneration();
    expect(await handoff.prepare(1)).toMatchObject({ env: { HOT_HOLD: '{}' }, extraFds: ['ipc'] });
    handoff.attach(1, first.child, (event) => events.push(event));
    handoff.activate(1);
    expect(handoff.startsBeside()).toBe(false);
    const socket = fakeSocket('::', 3000);
    first.say({ cmd: 'NODE_HOT_HOLD', key: '* 3000' }, socket);
    await tick();
    expect(events).toEqual([{ type: 'holding', addresses: [':3000'] }]);
    expect(handoff.startsBeside()).toBe(true);
    expect(await handoff.prepare(2)).toEqual({ env: { HOT_HOLD: '{"* 3000":4}' }, preload: expect.stringMatching(/preload[\\/]hold\.js$/), standbyPreload: expect.stringMatching(/^file:.*preload\/hold-standby\.js$/), extraFds: ['ipc', socket] });
  });

  it('a generation is ready once it listens on every port of the serving one', async () => {
    const handoff = createHoldHandoff(SERVE);
    const first = fakeGeneration();
    handoff.attach(1, first.child, () => {});
    handoff.activate(1);
    first.say({ cmd: 'NODE_HOT_HOLD', key: '* 3000' }, fakeSocket('::', 3000));
    first.say({ cmd: 'NODE_HOT_HOLD', key: '127.0.0.1 3443' }, fakeSocket('127.0.0.1', 3443));
    const second = fakeGeneration();
    handoff.attach(2, second.child, () => {});
    let ready = false;
    const waiting = handoff.waitReady(2, second.child, new AbortController().signal).then(() => (ready = true));
    second.say({ cmd: 'NODE_HOT_LISTENING', key: '* 3000' });
    await tick();
    expect(ready).toBe(false);
    second.say({ cmd: 'NODE_HOT_LISTENING', key: '127.0.0.1 3443' });
    await waiting;
    expect(ready).toBe(true);
  });

  it('lets go of a port the replacing generation does not listen on, once the old one is gone', async () => {
    const handoff = createHoldHandoff(SERVE);
    const events: JobEvent[] = [];
    const first = fakeGeneration();
    handoff.attach(1, first.child, (event) => events.push(event));
    handoff.activate(1);
    const old = fakeSocket('::', 3000);
    first.say({ cmd: 'NODE_HOT_HOLD', key: '* 3000' }, old);
    const second = fakeGeneration();
    handoff.attach(2, second.child, (event) => events.push(event));
    second.say({ cmd: 'NODE_HOT_HOLD', key: '* 4000' }, fakeSocket('::', 4000));
    handoff.activate(2);
    expect(old.closed).toBe(false);
    handoff.retired(1);
    expect(old.closed).toBe(true);
    expect(second.received).toEqual([{ cmd: 'NODE_HOT_RELEASE', key: '* 3000' }]);
    expect(events).toContainEqual({ type: 'released', addresses: [':3000'] });
    expect(JSON.parse((await handoff.prepare(3)).env.HOT_HOLD!)).toEqual({ '* 4000': 4 });
  });

  it('says hot holds the port when a generation cannot bind it at another address', () => {
    const handoff = createHoldHandoff(SERVE);
    const events: JobEvent[] = [];
    const first = fakeGeneration();
    handoff.attach(1, first.child, (event) => events.push(event));
    first.say({ cmd: 'NODE_HOT_HOLD', key: '* 3000' }, fakeSocket('::', 3000));
    first.say({ cmd: 'NODE_HOT_TAKEN', port: 3000 });
    expect(events).toContainEqual({ type: 'port-taken', port: 3000, owner: null, heldAs: ':3000' });
  });

  it('closes every held socket when it closes', async () => {
    const handoff = createHoldHandoff(SERVE);
    const first = fakeGeneration();
    handoff.attach(1, first.child, () => {});
    const socket = fakeSocket('::', 3000);
    first.say({ cmd: 'NODE_HOT_HOLD', key: '* 3000' }, socket);
    await handoff.close();
    expect(socket.closed).toBe(true);
  });
});
