/**
 * Preloaded (through NODE_OPTIONS) into a Node program hot runs without [serve] port. Every
 * `listen()` on a TCP port (http, https, http2, net, any framework on top) goes through here:
 * - a socket hot already holds for that address (inherited as an fd, named in HOT_HOLD) is used as
 *   it is: no bind, no EADDRINUSE while the previous version still serves on it;
 * - otherwise the program binds as it always does, and once it listens the socket is handed to hot,
 *   which keeps it for the next versions.
 * hot is told when the program listens (it is ready once it listens on every port of the version
 * it replaces), and `close()` drains gently. Port 0, paths, fds and handles pass through untouched.
 * It does nothing unless hot set HOT_HOLD and opened the IPC channel, and hides both from the program.
 */
import dns from 'node:dns';
import { closeSync } from 'node:fs';
import net from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { drainGently } from './drain.js';
import { parsePortListen, socketKey, type PortListen } from './listen-args.js';

type Send = (message: { cmd: string; [key: string]: unknown }, handle?: unknown) => void;

const given = process.env.HOT_HOLD;
// A cluster worker listens through its primary, which is the process hot talks to.
if (given !== undefined && isMainThread && typeof process.send === 'function' && process.env.NODE_UNIQUE_ID === undefined) {
  delete process.env.HOT_HOLD;
  install(readFds(given), process.send.bind(process));
}

function readFds(text: string): Map<string, number> {
  try {
    return new Map(Object.entries(JSON.parse(text) as Record<string, number>));
  } catch {
    return new Map();
  }
}

function install(fds: Map<string, number>, rawSend: NonNullable<typeof process.send>): void {
  // The program sees no channel of its own: no process.send, and the channel keeps nothing alive.
  delete (process as { send?: unknown }).send;
  delete (process as { disconnect?: unknown }).disconnect;
  process.channel?.unref();
  const send: Send = (message, handle) => {
    if (process.connected) rawSend(message, handle as never, {}, () => {});
  };
  // hot is gone (even by SIGKILL): stop rather than serve old code on its sockets.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // hot let go of a socket this version inherited and never listened on: so does it.
  process.on('internalMessage', (message: { cmd?: unknown; key?: unknown }) => {
    const fd = message.cmd === 'NODE_HOT_RELEASE' && typeof message.key === 'string' ? fds.get(message.key) : undefined;
    if (fd === undefined) return;
    fds.delete(message.key as string);
    closeSync(fd);
  });
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    const target = parsePortListen(args);
    if (!target) return original.apply(this, args as never);
    if (target.callback) this.once('listening', target.callback);
    if (target.host === null || net.isIP(target.host) !== 0) {
      listenOn(this, target, target.host);
      return this;
    }
    // Node looks a host name up before it binds; so does this, to know which address is meant.
    dns.lookup(target.host, (error, address) => {
      if (error) this.emit('error', error);
      else listenOn(this, target, address);
    });
    return this;
  } as typeof net.Server.prototype.listen;

  function listenOn(server: net.Server, target: PortListen, address: string | null): void {
    const key = socketKey(address, target.port, target.ipv6Only);
    const fd = fds.get(key);
    server.once('listening', () => server.once('close', () => send({ cmd: 'NODE_HOT_CLOSED', key })));
    drainGently(server);
    if (fd !== undefined) {
      // The fd serves one server: a second listen on the address fails as it would without hot.
      fds.delete(key);
      server.once('listening', () => send({ cmd: 'NODE_HOT_LISTENING', key }));
      original.call(server, { fd, ...pick(target.options, ['backlog', 'signal']) });
      return;
    }
    server.once('listening', () => send({ cmd: 'NODE_HOT_HOLD', key }, (server as unknown as { _handle: unknown })._handle));
    reportTaken(server, target.port, send);
    original.call(server, { ...target.options, port: target.port, ...(address === null ? {} : { host: address }) });
  }
}

function pick(options: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]));
}

/** Tells hot when the bind fails with EADDRINUSE (it names the process holding the port), before the program hears of it. */
function reportTaken(server: net.Server, port: number, send: Send): void {
  const own = Object.prototype.hasOwnProperty.call(server, 'emit');
  const emit = server.emit as (this: net.Server, name: string | symbol, ...rest: unknown[]) => boolean;
  server.emit = function (this: net.Server, name: string | symbol, ...rest: unknown[]) {
    if (name === 'error' || name === 'listening') {
      if (own) server.emit = emit;
      else delete (server as { emit?: unknown }).emit;
    }
    if (name === 'error' && (rest[0] as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') send({ cmd: 'NODE_HOT_TAKEN', port });
    return emit.call(this, name, ...rest);
  } as typeof server.emit;
}
