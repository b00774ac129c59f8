import { spawn } from 'node:child_process';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { Command } from '../config/schema.js';
import { HandoffError } from '../errors.js';
import { findPortOwner } from './port-owner.js';

/** A listening socket hot keeps open for its whole life and hands to each generation (fd 3, 4, …). */
export interface SharedSocket {
  readonly handle: unknown;
  readonly port: number;
  close(): void;
}

interface TcpHandle {
  getsockname(out: { port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number, fd?: number, flags?: number) => TcpHandle | number;

/**
 * Binds the public port without accepting on it (hot must never take a connection itself), then lets
 * a throw-away helper put it in LISTEN state, so connections queue in the kernel until a generation
 * accepts, and a program that ignores fd 3 and binds the port itself fails loudly with EADDRINUSE.
 */
export async function openSharedSocket(host: string, port: number): Promise<SharedSocket> {
  // Node's own cluster module shares listening sockets this way; it is internal, so check it is there.
  const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof createServerHandle !== 'function') {
    throw new HandoffError('the socket strategy is not available on this Node version', { hint: 'use strategy = "proxy" under [serve]' });
  }
  // Linux lets a SO_REUSEADDR socket bind beside a listening one, so ask the port itself first.
  if (port !== 0 && (await accepts(host, port))) throw portInUse(port);
  const handle = createServerHandle(host, port, net.isIPv6(host) ? 6 : 4);
  if (typeof handle === 'number') {
    const code = getSystemErrorName(handle);
    if (code === 'EADDRINUSE') throw portInUse(port);
    throw new HandoffError(`cannot bind ${host}:${port} (${code})`);
  }
  const address: { port?: number } = {};
  handle.getsockname(address);
  await prime(handle);
  return { handle, port: address.port ?? port, close: () => handle.close() };
}

function portInUse(port: number): HandoffError {
  const owner = findPortOwner(port);
  return new HandoffError(`port ${port} is already in use${owner ? ` by pid ${owner.pid}${owner.command ? ` (${owner.command})` : ''}` : ''}`, {
    hint: 'stop that process, or set another port under [serve]',
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ host, port });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function prime(handle: TcpHandle): Promise<void> {
  return new Promise((resolve, reject) => {
    const helper = spawn(process.execPath, ['-e', "require('net').createServer().listen({ fd: 3 }, function () { this.close(); })"], {
      stdio: ['ignore', 'ignore', 'inherit', handle as never],
    });
    helper.once('error', reject);
    helper.once('exit', (code) => (code === 0 ? resolve() : reject(new HandoffError(`could not start listening on the shared socket (helper exited with ${code})`))));
  });
}

/**
 * Runs the command through `sh` so LISTEN_PID can be the program's own pid (systemd's protocol wants
 * it; the shell `exec`s the program, keeping its pid).
 */
export function withListenPid(command: Command): Command {
  const prefix = 'export LISTEN_PID=$$; exec';
  if (command.kind === 'argv') return { kind: 'argv', argv: ['/bin/sh', '-c', `${prefix} "$0" "$@"`, ...command.argv] };
  return { kind: 'argv', argv: ['/bin/sh', '-c', `${prefix} /bin/sh -c "$0"`, command.line] };
}
