import { fileURLToPath } from 'node:url';
import type { Command, ResolvedServe } from '../config/schema.js';
import { findFreePort, waitForPort } from './ports.js';
import type { Proxy } from './proxy.js';
import { waitForReadySignal, withListenPid, type SharedSocket } from './socket.js';

/**
 * How each strategy launches a generation and knows it is ready; the app hands these to the
 * supervisor, which overlaps the old and the new generation around them.
 */
export interface GenerationHooks {
  readyTimeoutMs: number;
  drainTimeoutMs: number;
  graceMs: number;
  prepare(generation: number): Promise<{
    env: Record<string, string>;
    extraFds?: readonly unknown[];
    stdio?: 'inherit' | 'tee';
    wrapCommand?: (command: Command) => Command;
  }>;
  waitReady(generation: number, child: StartedChild, signal: AbortSignal): Promise<void>;
  activate(generation: number): void;
  retired(generation: number): void;
}

/** What readiness needs of a started process. */
export interface StartedChild {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly extraStreams: ReadonlyArray<NodeJS.ReadableStream | null>;
}

type ProxyServe = Extract<ResolvedServe, { strategy: 'proxy' }>;
type SocketServe = Extract<ResolvedServe, { strategy: 'socket' }>;

/** Proxy: a free private port per generation, ready when that port accepts, then routed to. */
export function proxyGenerations(proxy: Proxy, serve: ProxyServe, publicPort: () => number): GenerationHooks {
  const generations = new Map<number, { port: number; host: string }>();
  return {
    readyTimeoutMs: serve.readyTimeoutMs,
    drainTimeoutMs: serve.drainTimeoutMs,
    graceMs: serve.graceMs,
    async prepare(generation) {
      proxy.expect();
      const port = await findFreePort();
      generations.set(generation, { port, host: '127.0.0.1' });
      return { env: { PORT: String(port), HOST: '127.0.0.1', HOT_PUBLIC_PORT: String(publicPort()) } };
    },
    async waitReady(generation, _child, signal) {
      const entry = generations.get(generation);
      if (!entry) throw new Error(`generation ${generation} was never prepared`);
      entry.host = await waitForPort(entry.port, signal);
    },
    activate(generation) {
      const entry = generations.get(generation);
      if (entry) proxy.route({ generation, host: entry.host, port: entry.port });
    },
    retired(generation) {
      proxy.retire(generation);
      generations.delete(generation);
    },
  };
}

const PRELOAD = fileURLToPath(new URL('../listen.js', import.meta.url));

/**
 * Socket: every generation gets the one listening socket as fd 3 (LISTEN_FDS=1), a pipe as fd 4 to
 * say READY=1, and Node programs the preload that does both. Nothing to switch: the old generation
 * stops accepting when it is told to stop, and the kernel queues what arrives meanwhile.
 */
export function socketGenerations(socket: () => SharedSocket, serve: SocketServe, nodeOptions: string | undefined): GenerationHooks {
  const pattern = serve.readyPattern === null ? null : new RegExp(serve.readyPattern);
  return {
    readyTimeoutMs: serve.readyTimeoutMs,
    drainTimeoutMs: serve.drainTimeoutMs,
    graceMs: serve.graceMs,
    async prepare() {
      const { handle, port } = socket();
      return {
        env: {
          PORT: String(port),
          HOST: serve.host,
          HOT_PUBLIC_PORT: String(port),
          LISTEN_FDS: '1',
          LISTEN_FDNAMES: 'http',
          HOT_READY_FD: '4',
          NODE_OPTIONS: [nodeOptions, `--import=${JSON.stringify(PRELOAD)}`].filter(Boolean).join(' '),
        },
        extraFds: [handle, 'pipe'],
        stdio: pattern ? 'tee' : 'inherit',
        wrapCommand: withListenPid,
      };
    },
    waitReady(_generation, child, signal) {
      return waitForReadySignal(child.extraStreams[1] ?? null, child.stdout, pattern, signal);
    },
    activate() {
      // The shared socket needs no switch.
    },
    retired() {
      // Nothing is held per generation.
    },
  };
}
