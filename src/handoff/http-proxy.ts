import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { forwardedHeaders, upgradeRequestHead, withoutHopByHop } from './forwarded-headers.js';
import { checkHost, type HostPolicy } from './host-check.js';
import { isPlainHtml } from './html-injection.js';
import type { LiveReload } from './live-reload.js';
import type { Target, TargetBoard } from './target-board.js';
import { sendUnavailable } from './unavailable-page.js';

const SAFE_TO_RETRY = new Set(['GET', 'HEAD', 'OPTIONS']);

interface GenerationState {
  agent: http.Agent;
  /** Long-lived responses (server-sent events) and upgraded sockets: closed when the generation is replaced. */
  streams: Set<{ close(): void }>;
}

export interface HttpProxyHandler {
  onRequest(request: IncomingMessage, response: ServerResponse): void;
  onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes the streams of every generation but `generation`, so their clients reconnect to new code. */
  closeStreamsExcept(generation: number): void;
  retire(generation: number): void;
  close(): void;
}

export interface HttpProxyOptions {
  board: TargetBoard;
  /** How long a request waits for a ready generation before it gets a 502. */
  waitTimeoutMs: number;
  /** The names requests may be for; others get a 403 (see host-check.ts). */
  hosts: HostPolicy;
  liveReload?: LiveReload | null;
}

/**
 * HTTP-aware forwarding: each request goes to the generation that is current when it arrives, over
 * that generation's keep-alive agent, so the client's own connection is hot's and survives restarts.
 */
export function createHttpProxyHandler(options: HttpProxyOptions): HttpProxyHandler {
  return new HttpForwarder(options);
}

type Attempt = 'first' | 'fresh' | 'last';

class HttpForwarder implements HttpProxyHandler {
  readonly #board: TargetBoard;
  readonly #waitTimeoutMs: number;
  readonly #liveReload: LiveReload | null;
  readonly #hosts: HostPolicy;
  readonly #generations = new Map<number, GenerationState>();
  readonly #retired = new Set<number>();
  /** Upgrade requests waiting for a generation: ended at shutdown. */
  readonly #waitingSockets = new Set<Duplex>();

  constructor(options: HttpProxyOptions) {
    this.#board = options.board;
    this.#waitTimeoutMs = options.waitTimeoutMs;
    this.#liveReload = options.liveReload ?? null;
    this.#hosts = options.hosts;
  }

  // onRequest and onUpgrade are arrow properties: the servers are handed them unbound.
  readonly onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    // Before anything else, hot's own pages included: they carry the build's errors.
    const verdict = checkHost(request.rawHeaders, this.#hosts);
    if (verdict.kind === 'refused') {
      response.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(verdict.text);
      return;
    }
    const liveReload = this.#liveReload;
    if (liveReload?.handles(request.url)) {
      liveReload.serve(request, response);
      return;
    }
    void this.#board.wait(this.#waitTimeoutMs).then((wait) => {
      if (response.destroyed) return;
      if (wait.kind === 'target') this.#forward(request, response, wait.target, 'first');
      else sendUnavailable(request, response, wait.reason, liveReload);
    });
  };

  readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const verdict = checkHost(request.rawHeaders, this.#hosts);
    if (verdict.kind === 'refused') {
      const status = verdict.status === 400 ? '400 Bad Request' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${verdict.text}`, () => socket.destroy());
      return;
    }
    this.#waitingSockets.add(socket);
    void this.#board.wait(this.#waitTimeoutMs).then((wait) => {
      this.#waitingSockets.delete(socket);
      if (socket.destroyed) return;
      if (wait.kind !== 'target') {
        const reason = wait.reason.split('\n')[0];
        socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhot: ${reason}\n`, () => socket.destroy());
        return;
      }
      this.#tunnel(request, socket, head, wait.target);
    });
  };

  closeStreamsExcept(generation: number): void {
    for (const [id, state] of this.#generations) {
      if (id === generation) continue;
      for (const stream of [...state.streams]) stream.close();
      state.streams.clear();
    }
  }

  retire(generation: number): void {
    this.#retired.add(generation);
    const state = this.#generations.get(generation);
    if (!state) return;
    for (const stream of state.streams) stream.close();
    state.agent.destroy();
    this.#generations.delete(generation);
  }

  close(): void {
    for (const id of [...this.#generations.keys()]) this.retire(id);
    for (const socket of this.#waitingSockets) socket.destroy();
    this.#waitingSockets.clear();
  }

  #stateOf(target: Target): GenerationState {
    let state = this.#generations.get(target.generation);
    if (!state) {
      state = { agent: new http.Agent({ keepAlive: true }), streams: new Set() };
      // A late request to a generation that is gone gets a one-off state, never a pooled agent that leaks.
      if (!this.#retired.has(target.generation)) this.#generations.set(target.generation, state);
    }
    return state;
  }

  #forward(request: IncomingMessage, response: ServerResponse, target: Target, attempt: Attempt): void {
    const state = this.#stateOf(target);
    const upstream = http.request({
      host: target.host,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: forwardedHeaders(request),
      agent: attempt === 'first' ? state.agent : false,
    });
    upstream.on('response', (answer) => this.#relay(request, response, answer, upstream, state));
    upstream.on('error', (error: NodeJS.ErrnoException) => this.#onUpstreamError(error, request, response, target, attempt));
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    request.pipe(upstream);
  }

  #relay(request: IncomingMessage, response: ServerResponse, answer: IncomingMessage, upstream: http.ClientRequest, state: GenerationState): void {
    const headers = withoutHopByHop(answer.headers);
    if (this.#liveReload && request.method !== 'HEAD' && isPlainHtml(answer.headers)) {
      // The page passes on as it comes, script added: its length is not known until it ends.
      delete headers['content-length'];
      response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      answer.pipe(this.#liveReload.injecting()).pipe(response);
      answer.on('error', () => response.destroy());
      return;
    }
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    if (String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      const stream = {
        close: () => {
          response.end();
          upstream.destroy();
        },
      };
      state.streams.add(stream);
      response.on('close', () => state.streams.delete(stream));
    }
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  }

  #onUpstreamError(error: NodeJS.ErrnoException, request: IncomingMessage, response: ServerResponse, target: Target, attempt: Attempt): void {
    if (response.headersSent || response.destroyed) return void response.destroy();
    const vanished = error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EPIPE';
    if (vanished && attempt !== 'last' && canRetry(request)) {
      if (error.code !== 'ECONNREFUSED' && attempt === 'first' && this.#board.current === target) {
        // A kept-alive connection the app had just closed: try once more on a fresh one.
        this.#forward(request, response, target, 'fresh');
        return;
      }
      // The generation went away between routing and answering: this request waits for the next one.
      void this.#board.waitForOther(target, this.#waitTimeoutMs).then((next) => {
        if (response.destroyed) return;
        if (next.kind === 'target') this.#forward(request, response, next.target, 'last');
        else sendUnavailable(request, response, next.reason, this.#liveReload);
      });
      return;
    }
    sendUnavailable(request, response, `the app did not answer (${error.code ?? error.message})`, this.#liveReload);
  }

  #tunnel(request: IncomingMessage, socket: Duplex, head: Buffer, target: Target): void {
    const state = this.#stateOf(target);
    const upstream = net.connect({ host: target.host, port: target.port });
    const tunnel = {
      close: () => {
        upstream.destroy();
        socket.destroy();
      },
    };
    state.streams.add(tunnel);
    upstream.once('connect', () => {
      upstream.write(upgradeRequestHead(request));
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => tunnel.close());
    upstream.on('close', () => tunnel.close());
    socket.on('close', () => {
      state.streams.delete(tunnel);
      upstream.destroy();
    });
  }
}

function canRetry(request: IncomingMessage): boolean {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  return SAFE_TO_RETRY.has(request.method ?? '') && !hasBody;
}
