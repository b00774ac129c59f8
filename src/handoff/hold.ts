import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolvedServe } from '../config/schema.js';
import type { GenerationLaunch, Handoff, JobEvent, PageEvent, ReadinessSource } from '../events.js';
import { FrontProxy } from './front-proxy.js';
import { findPortOwner } from './port-owner.js';
import { formatAddress } from './ports.js';

type HoldServe = Extract<ResolvedServe, { strategy: 'hold' }>;

/** A listening socket a generation gave hot: a libuv TCP handle hot never listens or accepts on. */
interface TcpHandle {
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}

/** What one generation listens on, by key (`<address|*> <port>[ v6only]`, made by the preload). */
interface Tracked {
  listening: Set<string>;
  channel: ReadinessSource['channel'];
  /** Called when `listening` changes: a readiness wait checks again. */
  onChange: Set<() => void>;
  closed: Promise<void>;
}

const PRELOAD = fileURLToPath(new URL('../preload/hold.js', import.meta.url));
const WITH_STANDBY = pathToFileURL(fileURLToPath(new URL('../preload/hold-standby.js', import.meta.url))).href;

/** How long a start waits for the messages of generations that have exited (a socket one of them was handing over). */
const CHANNEL_SETTLE_MS = 1000;

/**
 * A new version that listens, but not on every port of the old one (its port changed), is ready once
 * it has listened on nothing more for this long. Switching too early costs latency, never a request:
 * connections to a held port queue until it listens there.
 */
const LISTEN_QUIET_MS = 1000;

/**
 * Held sockets: a Node program binds its ports as usual and hands each listening socket to hot (over
 * IPC); hot keeps them for its whole life and gives them to every later generation as inherited fds,
 * which the preload uses when the program listens on the same address. A generation that listens on
 * every port of the serving one is ready; until the first socket is held, restarts stop, then start.
 */
export function createHoldHandoff(serve: HoldServe): Handoff {
  return new HeldSockets(serve);
}

class HeldSockets implements Handoff {
  readonly readyTimeoutMs: number;
  readonly drainTimeoutMs: number | null;
  readonly graceMs: number;
  readonly #held = new Map<string, TcpHandle>();
  readonly #generations = new Map<number, Tracked>();
  /** Channels of exited generations that may still carry a socket. */
  readonly #settling = new Set<Promise<void>>();
  /** Addresses newly held, said in one line. */
  #fresh: string[] = [];
  #active: number | null = null;
  /** Held keys the successor of a replaced generation does not listen on: released once that generation is gone. */
  readonly #dropped = new Map<number, string[]>();
  #report: (event: JobEvent) => void = () => {};
  #epoch = 0;
  readonly #front: FrontProxy | null;

  constructor(serve: HoldServe) {
    this.readyTimeoutMs = serve.readyTimeoutMs;
    this.drainTimeoutMs = serve.drainTimeoutMs;
    this.graceMs = serve.graceMs;
    this.#front = serve.liveReload ? new FrontProxy({ waitTimeoutMs: serve.readyTimeoutMs, allowedHosts: serve.allowedHosts }) : null;
  }

  get epoch(): number {
    return this.#epoch;
  }

  async open(): Promise<null> {
    return null;
  }

  startsBeside(): boolean {
    return this.#portsOf(this.#active).size > 0;
  }

  async prepare(): Promise<GenerationLaunch> {
    await settle(this.#settling);
    const fds: Record<string, number> = {};
    const handles: TcpHandle[] = [];
    for (const [key, handle] of this.#held) {
      // fd 3 is the IPC channel; the sockets follow.
      fds[key] = 4 + handles.length;
      handles.push(handle);
    }
    const wanted = this.#front?.wanted ?? null;
    const front: Record<string, string> = wanted !== null ? { HOT_FRONT: wanted } : {};
    return { env: { HOT_HOLD: JSON.stringify(fds), ...front }, preload: PRELOAD, standbyPreload: WITH_STANDBY, extraFds: ['ipc', ...handles] };
  }

  starting(): void {
    this.#front?.starting();
  }

  attach(generation: number, child: ReadinessSource, report: (event: JobEvent) => void): void {
    const tracked: Tracked = { listening: new Set(), channel: child.channel, onChange: new Set(), closed: child.channel?.closed ?? Promise.resolve() };
    this.#generations.set(generation, tracked);
    this.#report = report;
    child.channel?.onMessage((message, handle) => {
      const key = typeof message.key === 'string' ? message.key : null;
      if (message.cmd === 'NODE_HOT_TAKEN' && typeof message.port === 'number') report(this.#taken(message.port));
      if (key === null) return;
      // The program listens again on an address after closing it: the same socket (none if hot let go of it).
      if (message.cmd === 'NODE_HOT_WANT') return child.channel?.send({ cmd: 'NODE_HOT_SOCKET', key }, this.#held.get(key));
      // Who waits for the listen hears of it before what hot holds from it is reported.
      if (message.cmd === 'NODE_HOT_HOLD' || message.cmd === 'NODE_HOT_LISTENING' || message.cmd === 'NODE_HOT_BEHIND') tracked.listening.add(key);
      else if (message.cmd === 'NODE_HOT_CLOSED') tracked.listening.delete(key);
      for (const check of [...tracked.onChange]) check();
      if (message.cmd === 'NODE_HOT_HOLD' && handle) this.#keep(key, handle as TcpHandle, report);
      if (message.cmd === 'NODE_HOT_BEHIND' && typeof message.port === 'number') this.#front?.behind(generation, key, message.port, report);
    });
  }

  onFirstListen(generation: number, listener: () => void): () => void {
    const tracked = this.#generations.get(generation);
    if (!tracked) return () => {};
    const check = (): void => {
      if (tracked.listening.size === 0) return;
      tracked.onChange.delete(check);
      listener();
    };
    tracked.onChange.add(check);
    check();
    return () => tracked.onChange.delete(check);
  }

  /** Ready once it listens on every address the serving generation listens on, or listens elsewhere and has settled. */
  waitReady(generation: number, _child: ReadinessSource, signal: AbortSignal): Promise<void> {
    const tracked = this.#generations.get(generation);
    if (!tracked) return Promise.reject(new Error(`generation ${generation} was never attached`));
    const wanted = [...this.#portsOf(this.#active)];
    return new Promise<void>((resolve, reject) => {
      let quiet: NodeJS.Timeout | undefined;
      const finish = (error?: Error): void => {
        clearTimeout(quiet);
        tracked.onChange.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        clearTimeout(quiet);
        if (wanted.every((key) => tracked.listening.has(key))) return finish();
        if (tracked.listening.size > 0) quiet = setTimeout(() => finish(), LISTEN_QUIET_MS);
      };
      const onAbort = (): void => finish(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      tracked.onChange.add(check);
      check();
    });
  }

  activate(generation: number): void {
    this.#front?.activate(generation);
    const previous = this.#active;
    this.#active = generation;
    if (previous === null || previous === generation) return;
    // Every held socket the new version does not listen on: the old one's, and any left from before a crash.
    const kept = this.#portsOf(generation);
    const dropped = [...this.#held.keys()].filter((key) => !kept.has(key));
    if (dropped.length > 0) this.#dropped.set(previous, dropped);
  }

  vacate(): void {
    this.#active = null;
    this.#front?.vacate();
  }

  retired(generation: number): void {
    this.#front?.retired(generation);
    const tracked = this.#generations.get(generation);
    this.#generations.delete(generation);
    if (this.#active === generation) this.#active = null;
    const dropped = this.#dropped.get(generation);
    this.#dropped.delete(generation);
    if (dropped) this.#release(dropped);
    if (!tracked) return;
    // A socket it handed over just before it exited may still be on its way.
    const closed = tracked.closed.then(() => {
      this.#settling.delete(closed);
    });
    this.#settling.add(closed);
  }

  unavailable(reason: string): void {
    // Connections queue on the held sockets until the next generation accepts; the proxy shows why.
    this.#front?.unavailable(reason);
  }

  announce(event: PageEvent): void {
    this.#front?.announce(event);
  }

  async close(): Promise<void> {
    await this.#front?.close();
    for (const handle of this.#held.values()) handle.close();
    this.#held.clear();
  }

  /** Closes held sockets no live generation listens on; those that inherited one close their copy. */
  #release(keys: readonly string[]): void {
    const released: string[] = [];
    for (const key of keys) {
      const handle = this.#held.get(key);
      if (!handle || [...this.#generations.values()].some((tracked) => tracked.listening.has(key))) continue;
      for (const tracked of this.#generations.values()) tracked.channel?.send({ cmd: 'NODE_HOT_RELEASE', key });
      released.push(describeAddress(handle));
      handle.close();
      this.#held.delete(key);
      this.#epoch++;
    }
    if (released.length > 0) this.#report({ type: 'released', addresses: released });
  }

  /** Who has the port: a socket hot holds at another address, or another process. */
  #taken(port: number): JobEvent {
    const held = [...this.#held.values()].map(describeAddress).find((address) => address.endsWith(`:${port}`));
    if (held) return { type: 'port-taken', port, owner: null, heldAs: held };
    return { type: 'port-taken', port, owner: findPortOwner(port) };
  }

  #portsOf(generation: number | null): Set<string> {
    return (generation === null ? undefined : this.#generations.get(generation)?.listening) ?? new Set();
  }

  /** Keeps a socket a generation bound, and says so: sockets bound together, in one line. */
  #keep(key: string, handle: TcpHandle, report: (event: JobEvent) => void): void {
    const known = this.#held.get(key);
    if (known) {
      // Two generations bound the same address at once: keep the first.
      if (known !== handle) handle.close();
      return;
    }
    this.#held.set(key, handle);
    this.#epoch++;
    this.#fresh.push(describeAddress(handle));
    if (this.#fresh.length > 1) return;
    setImmediate(() => {
      const addresses = this.#fresh;
      this.#fresh = [];
      report({ type: 'holding', addresses });
    });
  }
}

/** `:3000` for every address, `127.0.0.1:3000`, `[::1]:3000`. */
function describeAddress(handle: TcpHandle): string {
  const out: { address?: string; port?: number } = {};
  handle.getsockname(out);
  return formatAddress(out.address ?? '', out.port ?? 0);
}

/** Waits for the given promises, at most CHANNEL_SETTLE_MS. */
async function settle(pending: Set<Promise<void>>): Promise<void> {
  if (pending.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, CHANNEL_SETTLE_MS)))]);
  clearTimeout(timer);
}
