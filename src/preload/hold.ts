/**
 * Preloaded (through NODE_OPTIONS) into a Node program hot runs without [serve] port. Every
 * `listen()` on a TCP port (http, https, http2, net, any framework on top) goes through here:
 * - a socket hot already holds for that address (inherited as an fd, named in HOT_HOLD) is used as
 *   it is: no bind, no EADDRINUSE while the previous version still serves on it;
 * - otherwise the program binds as it always does, and once it listens the socket is handed to hot,
 *   which keeps it for the next versions;
 * - a server that listens again on such an address after a close gets the same socket from hot.
 * hot is told when the program listens (it is ready once it listens on every port of the version
 * it replaces), and `close()` drains gently. Port 0, paths, fds and handles pass through untouched.
 * With live reload (HOT_FRONT), the first plain-HTTP server listens on a private port behind hot's
 * proxy instead, which takes the address it asked for.
 * It does nothing unless hot set HOT_HOLD and opened the IPC channel, and hides both from the program.
 */
import { closeSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { drainGently } from './drain.js';
import { parsePortListen, socketKey, type PortListen } from './listen-args.js';

type Send = (message: { cmd: string; [key: string]: unknown }, handle?: unknown) => void;

function readFds(text: string): Map<string, number> {
  try {
    return new Map(Object.entries(JSON.parse(text) as Record<string, number>));
  } catch {
    return new Map();
  }
}

function install(fds: Map<string, number>, front: string | null, rawSend: NonNullable<typeof process.send>): void {
  // The program sees no channel of its own: no process.send, and the channel keeps nothing alive.
  // (process.disconnect stays: Node calls it itself when hot's end closes.)
  delete (process as { send?: unknown }).send;
  process.channel?.unref();
  const held = new HeldListen(fds, front, (message, handle) => {
    if (process.connected) rawSend(message, handle as never, {}, () => {});
  });
  // hot is gone (even by SIGKILL): stop rather than serve old code on its sockets.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  process.on('internalMessage', (message: { cmd?: unknown; key?: unknown }, handle: unknown) => {
    if (typeof message.key !== 'string') return;
    if (message.cmd === 'NODE_HOT_RELEASE') held.release(message.key);
    if (message.cmd === 'NODE_HOT_SOCKET') held.received(message.key, handle);
  });
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    const target = parsePortListen(args);
    if (!target) return original.apply(this, args as never);
    if (target.callback) this.once('listening', target.callback);
    if (target.host === null || net.isIP(target.host) !== 0) {
      held.listen(this, target, target.host, original);
      return this;
    }
    // Node looks a host name up before it binds; so does this, to know which address is meant.
    // node:dns is loaded then only: most programs listen on a port or an address.
    process.getBuiltinModule('node:dns').lookup(target.host, (error, address) => {
      if (error) this.emit('error', error);
      else held.listen(this, target, address, original);
    });
    return this;
  } as typeof net.Server.prototype.listen;
}

type Listen = typeof net.Server.prototype.listen;

/** This process's side of the held sockets: the fds it inherited, what hot holds, what listens here. */
class HeldListen {
  readonly #fds: Map<string, number>;
  readonly #send: Send;
  /** Keys hot holds a socket for (given as fds, or handed over from here). */
  readonly #held: Set<string>;
  /** Keys a server of this process listens on now. */
  readonly #listening = new Set<string>();
  /** Servers waiting for hot to send a socket it holds, by key. */
  readonly #waiting = new Map<string, Array<(handle: unknown) => void>>();
  /** With live reload: the key hot's proxy stands in for ('first': the first plain-HTTP server's), null without. */
  #front: string | null;

  constructor(fds: Map<string, number>, front: string | null, send: Send) {
    this.#fds = fds;
    this.#send = send;
    this.#held = new Set(fds.keys());
    this.#front = front;
  }

  listen(server: net.Server, target: PortListen, address: string | null, original: Listen): void {
    const key = socketKey(address, target.port, target.ipv6Only);
    if (this.#front !== null && server instanceof http.Server && !this.#listening.has(key) && (this.#front === key || this.#front === 'first')) {
      this.#front = key;
      return this.#behind(server, key, target, address, original);
    }
    const bind = (): void => {
      server.once('listening', () => this.#heard(server, key, 'NODE_HOT_HOLD'));
      reportTaken(server, target.port, this.#send);
      original.call(server, { ...target.options, port: target.port, ...(address === null ? {} : { host: address }) });
    };
    drainGently(server);
    // A second server on an address that listens here already fails as it would without hot.
    if (this.#listening.has(key)) return void original.call(server, { ...target.options, port: target.port, ...(address === null ? {} : { host: address }) });
    if (!this.#held.has(key)) return bind();
    const { backlog, signal } = target.options;
    const useHeld = (handle: unknown): void => {
      server.once('listening', () => this.#heard(server, key, 'NODE_HOT_LISTENING'));
      (original as (this: net.Server, ...args: unknown[]) => net.Server).call(server, handle, ...(backlog === undefined ? [] : [backlog]));
    };
    const fd = this.#fds.get(key);
    if (fd === undefined) return this.#ask(key, (handle) => (handle ? useHeld(handle) : bind()));
    // The inherited fd serves one server; a later one (after a close) asks hot for the socket.
    this.#fds.delete(key);
    useHeld({ fd, ...(backlog === undefined ? {} : { backlog }), ...(signal === undefined ? {} : { signal }) });
  }

  /**
   * Listens on a private loopback port behind hot's proxy, which has the address the program asked
   * for; `server.address()` still says that address, so what the program prints stays true.
   */
  #behind(server: net.Server, key: string, target: PortListen, address: string | null, original: Listen): void {
    drainGently(server);
    server.prependOnceListener('listening', () => {
      // The server's own address, not the one this sets below (a second listen() after a close).
      const real = net.Server.prototype.address.call(server) as net.AddressInfo;
      const asked: net.AddressInfo = { address: address ?? '::', family: address !== null && net.isIPv4(address) ? 'IPv4' : 'IPv6', port: target.port };
      server.address = () => asked;
      this.#listening.add(key);
      this.#send({ cmd: 'NODE_HOT_BEHIND', key, port: real.port });
      server.once('close', () => {
        this.#listening.delete(key);
        this.#send({ cmd: 'NODE_HOT_CLOSED', key });
      });
    });
    const { exclusive: _exclusive, ipv6Only: _ipv6Only, ...options } = target.options;
    original.call(server, { ...options, port: 0, host: '127.0.0.1' });
  }

  /** hot let go of a socket: this process closes its inherited copy, and binds the address itself from now on. */
  release(key: string): void {
    this.#held.delete(key);
    const fd = this.#fds.get(key);
    this.#fds.delete(key);
    if (fd !== undefined) closeSync(fd);
  }

  /** hot's answer to #ask: the socket, or nothing when it no longer holds one. */
  received(key: string, handle: unknown): void {
    const waiting = this.#waiting.get(key) ?? [];
    this.#waiting.delete(key);
    if (this.#waiting.size === 0) process.channel?.unref();
    for (const listen of waiting) listen(handle);
  }

  #ask(key: string, listen: (handle: unknown) => void): void {
    const waiting = this.#waiting.get(key);
    if (waiting) return void waiting.push(listen);
    this.#waiting.set(key, [listen]);
    // Until hot answers, the program must not end for want of anything to do: it asked to listen.
    process.channel?.ref();
    this.#send({ cmd: 'NODE_HOT_WANT', key });
  }

  /** Tells hot the server listens (handing over a socket it bound), and when it stops. */
  #heard(server: net.Server, key: string, cmd: 'NODE_HOT_HOLD' | 'NODE_HOT_LISTENING'): void {
    this.#listening.add(key);
    this.#held.add(key);
    this.#send({ cmd, key }, cmd === 'NODE_HOT_HOLD' ? (server as unknown as { _handle: unknown })._handle : undefined);
    server.once('close', () => {
      this.#listening.delete(key);
      this.#send({ cmd: 'NODE_HOT_CLOSED', key });
    });
  }
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

// Last, once every declaration above is initialised.
const given = process.env.HOT_HOLD;
// A cluster worker listens through its primary, which is the process hot talks to. A worker thread
// has no process.send (a preload that runs before this one may start a worker, whose environment
// still has HOT_HOLD): it is left alone, without loading node:worker_threads to tell.
if (given !== undefined && process.env.NODE_UNIQUE_ID === undefined && typeof process.send === 'function') {
  const front = process.env.HOT_FRONT ?? null;
  delete process.env.HOT_HOLD;
  delete process.env.HOT_FRONT;
  // The channel hot started it with is closed already: hot was killed before this ran (the program
  // hot's launcher starts boots beside hot). It stops before the program runs, as it would have after.
  if (process.connected) install(readFds(given), front, process.send.bind(process));
  else process.kill(process.pid, 'SIGTERM');
}
