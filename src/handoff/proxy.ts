import http from 'node:http';
import net from 'node:net';
import { createHttpProxyHandler } from './http-proxy.js';
import { createLiveReload, type LiveReload, type PageEvent } from './live-reload.js';
import { closeServers, hostsFor, listenPublic } from './public-listener.js';
import { createTargetBoard, type Target } from './target-board.js';
import { createTcpProxyHandler } from './tcp-proxy.js';

export interface ProxyOptions {
  /** Public host: `localhost` listens on 127.0.0.1 and ::1. */
  host: string;
  port: number;
  mode: 'http' | 'tcp';
  /** How long a connection waits for a ready generation before it gets a 502 (or is closed). */
  waitTimeoutMs: number;
  /** Add hot's script to HTML pages and tell open pages to reload (http mode only). */
  liveReload?: boolean;
  /** Names besides this machine's that the http proxy answers to (serve.allowed_hosts); none when not given. */
  allowedHosts?: readonly string[] | 'any';
}

export interface Proxy {
  /** Binds the public port; a taken port is a HandoffError. Resolves with the bound port. */
  listen(): Promise<number>;
  /** New connections go to `target`; streams (WebSocket, SSE) of older generations are closed. */
  route(target: Target): void;
  /** The current generation is gone: new connections wait for the next one. */
  pause(): void;
  /** No generation will come until the next change: connections get a 502 naming `reason`. */
  fail(reason: string): void;
  /** A new generation is on its way: connections wait for it again instead of getting the last failure. */
  expect(): void;
  /** An old generation has exited: drop its pooled connections. */
  retire(generation: number): void;
  /** Tells open pages (with live reload): reload, or show or hide a build error. */
  announce(event: PageEvent): void;
  close(): Promise<void>;
}

/**
 * The public port, owned by hot for its whole life, in front of whichever generation is ready.
 * Clients never see a refused connection: while no generation is ready they wait.
 */
export function createProxy(options: ProxyOptions): Proxy {
  const board = createTargetBoard();
  const hosts = hostsFor(options.host);
  let servers: net.Server[];
  let retireHandler: (generation: number) => void;
  let closeHandler: () => void;
  let closeStreams: (generation: number) => void = () => {};
  const liveReload: LiveReload | null = options.liveReload && options.mode === 'http' ? createLiveReload() : null;

  if (options.mode === 'http') {
    const handler = createHttpProxyHandler({
      board,
      waitTimeoutMs: options.waitTimeoutMs,
      hosts: { serveHost: options.host, allowedHosts: options.allowedHosts ?? [] },
      liveReload,
    });
    servers = hosts.map(() => {
      const server = http.createServer({ keepAliveTimeout: 65_000 }, handler.onRequest);
      server.on('upgrade', handler.onUpgrade);
      return server;
    });
    retireHandler = (generation) => handler.retire(generation);
    closeHandler = () => handler.close();
    closeStreams = (generation) => handler.closeStreamsExcept(generation);
  } else {
    const handler = createTcpProxyHandler(board, options.waitTimeoutMs);
    // Half-open allowed, so a client that ends its side still gets the reply.
    servers = hosts.map(() => net.createServer({ allowHalfOpen: true }, handler.onConnection));
    retireHandler = (generation) => handler.retire(generation);
    closeHandler = () => handler.close();
  }

  let closing: Promise<void> | undefined;
  return {
    listen: () => listenPublic(servers, hosts, options.port),
    route(target) {
      board.set(target);
      closeStreams(target.generation);
    },
    pause: () => board.clear(),
    fail: (reason) => board.fail(reason),
    expect: () => board.clearFailure(),
    retire: (generation) => retireHandler(generation),
    announce: (event) => liveReload?.announce(event),
    close() {
      closing ??= (async () => {
        board.close('hot is shutting down');
        liveReload?.close();
        closeHandler();
        for (const server of servers) if (server instanceof http.Server) server.closeAllConnections();
        await closeServers(servers);
      })();
      return closing;
    },
  };
}
