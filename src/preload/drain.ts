/**
 * The gentle drain of a server whose listening socket outlives it (hot holds it): stop accepting,
 * answer what comes on kept-alive connections with `Connection: close`, and close connections only
 * once idle, so a client never sends a request into a connection being cut. Runs inside the program.
 */
import http from 'node:http';
import net from 'node:net';

/** After the server stopped accepting: how often connections that went idle are closed. */
const IDLE_CLOSE_MS = 250;

const draining = new Set<net.Server>();
let signalled = false;

/** Makes `server.close()` gentle (HTTP/1 servers), and stops the server on SIGTERM if the program does not. */
export function drainGently(server: net.Server): void {
  draining.add(server);
  server.once('close', () => draining.delete(server));
  if (isHttp1(server)) makeCloseGentle(server);
  if (!signalled) {
    signalled = true;
    process.on('SIGTERM', onSigterm);
  }
}

/**
 * http's servers, and https's, which take http's closeIdleConnections (http2's have none): told apart
 * without loading node:https, ~3 ms of every start of a program that never serves TLS.
 */
function isHttp1(server: net.Server): server is http.Server {
  return server instanceof http.Server || (server as Partial<http.Server>).closeIdleConnections === http.Server.prototype.closeIdleConnections;
}

function makeCloseGentle(server: http.Server): void {
  let closing = false;
  server.close = function close(callback?: (error?: Error) => void) {
    if (closing) {
      if (callback) server.once('close', () => callback());
      return server;
    }
    closing = true;
    // Before the program's own handler runs, so the answer still carries the header.
    server.prependListener('request', (_request, response: http.ServerResponse) => {
      if (!response.headersSent) response.setHeader('connection', 'close');
    });
    const idle = setInterval(() => server.closeIdleConnections(), IDLE_CLOSE_MS).unref();
    server.once('close', () => clearInterval(idle));
    // net.Server's close stops accepting without http's closing of idle kept-alive connections.
    net.Server.prototype.close.call(server, callback);
    return server;
  } as typeof server.close;
}

/**
 * A program that handles SIGTERM itself stops as it does (its server.close is gentle now). One that
 * does not would die with requests in flight: its servers drain first, then SIGTERM takes its
 * default course, so the program ends as it would without hot.
 */
function onSigterm(): void {
  if (process.listenerCount('SIGTERM') > 1) return;
  let open = 0;
  const done = (): void => {
    if (--open > 0) return;
    process.off('SIGTERM', onSigterm);
    process.kill(process.pid, 'SIGTERM');
  };
  for (const server of draining) {
    if (!server.listening) continue;
    // Only HTTP says when a connection may be closed; other servers just stop accepting.
    if (!isHttp1(server)) {
      server.close();
      continue;
    }
    open++;
    server.close(done);
  }
  if (open === 0) {
    open = 1;
    done();
  }
}
