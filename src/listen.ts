/**
 * Preloaded into Node programs hot runs with `[serve] strategy = "socket"` (`node --import hot-cli/listen`,
 * through NODE_OPTIONS). It makes the program's ordinary `server.listen(PORT)` use the listening socket
 * hot passes as fd 3 (LISTEN_FDS; with serve.listen, each port its own fd), tells hot when it is listening (writes READY=1 to HOT_READY_FD), and
 * makes `server.close()` drain gently: stop accepting, answer requests on kept-alive connections with
 * `Connection: close`, never cut an idle connection a client may be about to use.
 * It imports nothing from hot and does nothing unless hot set LISTEN_FDS and HOT_PUBLIC_PORT.
 */
import http from 'node:http';
import net from 'node:net';

const FIRST_FD = 3;
const publicPort = Number(process.env.HOT_PUBLIC_PORT);
const readyFd = process.env.HOT_READY_FD === undefined ? null : Number(process.env.HOT_READY_FD);
// The ports of fds 3, 4, … in order (serve.listen); without it, the one socket on HOT_PUBLIC_PORT.
const ports = (process.env.HOT_LISTEN_PORTS ?? String(publicPort)).split(':').map(Number);

if (Number(process.env.LISTEN_FDS) === ports.length && ports.every(Number.isInteger)) {
  const originalListen = net.Server.prototype.listen;
  const taken = new Set<number>();
  const channel = openChannel();

  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    const index = ports.findIndex((port) => !taken.has(port) && targetsPort(args[0], port));
    if (index === -1) return originalListen.apply(this, args as never);
    taken.add(ports[index]!);
    // The sockets are this process's now: programs it starts must not try to take them again.
    for (const name of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'HOT_READY_FD', 'HOT_LISTEN_PORTS', 'NOTIFY_SOCKET']) delete process.env[name];
    const callback = args.find((arg): arg is () => void => typeof arg === 'function');
    // Ready once it listens on every socket hot handed it.
    if (taken.size === ports.length) this.once('listening', () => channel?.write('READY=1\n'));
    if (this instanceof http.Server) drainGently(this);
    return originalListen.call(this, { fd: FIRST_FD + index }, callback);
  } as typeof net.Server.prototype.listen;
}

function targetsPort(first: unknown, port: number): boolean {
  if (typeof first === 'number' || typeof first === 'string') return Number(first) === port;
  if (first && typeof first === 'object' && 'port' in first) return Number((first as { port: unknown }).port) === port;
  return false;
}

/**
 * hot's ready pipe. The first line says the preload is here (hot then waits for READY=1 rather than
 * take a silent program as ready). The channel stays open: when hot goes away (even by SIGKILL) it
 * ends, and this generation exits rather than go on serving old code on hot's socket.
 */
function openChannel(): net.Socket | null {
  if (readyFd === null) return null;
  try {
    const channel = new net.Socket({ fd: readyFd, readable: true, writable: true });
    channel.on('error', () => process.exit(1));
    channel.on('end', () => process.exit(1));
    channel.write('STATUS=preloaded\n');
    channel.unref();
    return channel;
  } catch {
    // hot did not open the channel after all: nothing to tell.
    return null;
  }
}

function drainGently(server: http.Server): void {
  let closing = false;
  const stopAccepting = (callback?: (error?: Error) => void): http.Server => {
    if (closing) {
      if (callback) server.once('close', () => callback());
      return server;
    }
    closing = true;
    // Before the program's own handler runs, so the answer still carries the header.
    server.prependListener('request', (_request, response) => response.setHeader('connection', 'close'));
    // net.Server's close stops accepting without http's closing of idle kept-alive connections.
    net.Server.prototype.close.call(server, callback);
    return server;
  };
  server.close = stopAccepting as typeof server.close;
  // A program that does not handle SIGTERM would die with requests in flight: drain, then exit.
  process.on('SIGTERM', () => {
    const othersHandleIt = process.listenerCount('SIGTERM') > 1;
    stopAccepting(() => {
      if (!othersHandleIt) process.exit(0);
    });
    if (!othersHandleIt) setTimeout(() => process.exit(0), 10_000).unref();
  });
}
