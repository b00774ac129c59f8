import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, groupListenAddress, isFreeOnLoopback, waitForListener } from '../../../src/handoff/ports.js';
import { parseProcNetAddress } from '../../../src/platform/proc.js';

const LINUX = process.platform === 'linux';

/** Whether this machine has an IPv6 loopback to squat on. */
async function hasIPv6(): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}
const IPV6 = await hasIPv6();

const servers: net.Server[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
  }
});

/** The test process itself listens: a squatter, in no generation's process group. */
async function listenHere(host: string, port = 0): Promise<number> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

/** A process leading its own group (as hot starts a generation) that listens on host:0 and prints the port. */
async function listenInChild(host: string): Promise<{ pgid: number; port: number }> {
  const script = `const s = require('net').createServer(); s.listen(0, ${JSON.stringify(host)}, () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { pgid: child.pid!, port: Number(chunk.toString().trim()) };
}

/** A generation that has not listened yet: a process group with nothing on any port. */
async function idleGroup(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child.pid!;
}

describe('parseProcNetAddress', () => {
  it.each([
    ['0100007F', true, '127.0.0.1'],
    ['7F000001', false, '127.0.0.1'],
    ['00000000', true, '0.0.0.0'],
    ['00000000000000000000000001000000', true, '::1'],
    ['00000000000000000000000000000001', false, '::1'],
    ['00000000000000000000000000000000', true, '::'],
    ['0000000000000000FFFF00000100007F', true, '127.0.0.1'],
    ['000080FE00000000FF005452D0D1E1FE', true, 'fe80::5254:ff:fee1:d1d0'],
  ])('%s (little-endian: %s) is %s', (hex, littleEndian, address) => {
    expect(parseProcNetAddress(hex, littleEndian)).toBe(address);
  });
});

describe('findFreePort', () => {
  it.skipIf(!IPV6)('never picks a port that is taken on ::1 only', async () => {
    const squatted = await listenHere('::1');
    expect(await isFreeOnLoopback(squatted)).toBe(false);
    const offered = [squatted, squatted];
    const port = await findFreePort(async () => offered.shift() ?? 0);
    expect(offered).toEqual([]);
    expect(port).not.toBe(squatted);
    expect(await isFreeOnLoopback(port)).toBe(true);
  });

  it('never picks a port that is taken on 127.0.0.1', async () => {
    const taken = await listenHere('127.0.0.1');
    expect(await isFreeOnLoopback(taken)).toBe(false);
  });
});

describe.skipIf(!LINUX)('readiness: the generation itself listens', () => {
  it('counts a listener of the generation, and routes to the address it listens on', async () => {
    const generation = await listenInChild('127.0.0.1');
    expect(groupListenAddress(generation.port, generation.pgid)).toBe('127.0.0.1');
    await expect(waitForListener(generation.port, generation.pgid, new AbortController().signal)).resolves.toBe('127.0.0.1');
  });

  it.skipIf(!IPV6)('routes to ::1 when that is where the generation listens', async () => {
    const generation = await listenInChild('::1');
    await expect(waitForListener(generation.port, generation.pgid, new AbortController().signal)).resolves.toBe('::1');
  });

  it('routes a listener on every interface through loopback', async () => {
    const generation = await listenInChild('0.0.0.0');
    expect(groupListenAddress(generation.port, generation.pgid)).toBe('127.0.0.1');
  });

  it('does not count another process listening on the generation\'s port', async () => {
    const pgid = await idleGroup();
    const port = await listenHere(IPV6 ? '::1' : '127.0.0.1');
    expect(groupListenAddress(port, pgid)).toBeUndefined();
    const abort = new AbortController();
    let settled = false;
    const waiting = waitForListener(port, pgid, abort.signal, 1).finally(() => (settled = true));
    // Another generation that does listen is seen meanwhile: the squatted port was checked and refused.
    const other = await listenInChild('127.0.0.1');
    await waitForListener(other.port, other.pgid, new AbortController().signal);
    expect(settled).toBe(false);
    abort.abort(new Error('ready_timeout'));
    await expect(waiting).rejects.toThrow('ready_timeout');
  });
});
