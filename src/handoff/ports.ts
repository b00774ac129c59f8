import net from 'node:net';

/** A loopback port nobody listens on right now, for a generation's private port. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves with the loopback address (127.0.0.1 or ::1) on which `port` first accepts a connection,
 * trying both every `intervalMs`; rejects when `signal` aborts. Valid for private ports only: a
 * generation's own port accepts exactly when that generation listens.
 */
export function waitForPort(port: number, signal: AbortSignal, intervalMs = 10): Promise<string> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const sockets = new Set<net.Socket>();
    const finish = (): void => {
      settled = true;
      if (timer) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const attempt = (): void => {
      let pendingAttempts = 0;
      for (const host of ['127.0.0.1', '::1']) {
        pendingAttempts++;
        const socket = net.connect({ host, port });
        sockets.add(socket);
        socket.once('connect', () => {
          finish();
          resolve(host);
        });
        socket.once('error', () => {
          sockets.delete(socket);
          socket.destroy();
          if (--pendingAttempts === 0 && !settled) timer = setTimeout(attempt, intervalMs);
        });
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    attempt();
  });
}
