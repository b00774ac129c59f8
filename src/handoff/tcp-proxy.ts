import net from 'node:net';
import type { TargetBoard, TargetWait } from './target-board.js';

export interface TcpProxyHandler {
  onConnection(socket: net.Socket): void;
  /** Ends the connections still pinned to `generation` (it has exited). */
  retire(generation: number): void;
  close(): void;
}

/**
 * Byte-level forwarding for what is not HTTP/1 (TLS the app terminates, gRPC, raw TCP). A connection
 * stays with the generation that was current when it was accepted; it ends when that generation exits.
 */
export function createTcpProxyHandler(board: TargetBoard, waitTimeoutMs: number): TcpProxyHandler {
  const pinned = new Map<number, Set<net.Socket>>();

  return {
    onConnection(socket) {
      socket.setNoDelay(true);
      socket.pause();
      socket.on('error', () => socket.destroy());
      const connect = (wait: TargetWait, retried: boolean): void => {
        if (wait.kind !== 'target' || socket.destroyed) return void socket.destroy();
        const target = wait.target;
        const upstream = net.connect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
        const sockets = pinned.get(target.generation) ?? new Set<net.Socket>();
        pinned.set(target.generation, sockets);
        sockets.add(socket);
        let connected = false;
        upstream.once('connect', () => {
          connected = true;
          socket.pipe(upstream).pipe(socket);
          socket.resume();
        });
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          sockets.delete(socket);
          // Refused before anything was sent: the generation is gone, so wait for the next one.
          if (!connected && !retried && error.code === 'ECONNREFUSED') void board.waitForOther(target, waitTimeoutMs).then((next) => connect(next, true));
          else socket.destroy();
        });
        upstream.on('close', () => {
          if (connected) socket.destroy();
        });
        socket.on('close', () => {
          sockets.delete(socket);
          upstream.destroy();
        });
      };
      void board.wait(waitTimeoutMs).then((wait) => connect(wait, false));
    },
    retire(generation) {
      for (const socket of pinned.get(generation) ?? []) socket.destroy();
      pinned.delete(generation);
    },
    close() {
      for (const generation of [...pinned.keys()]) this.retire(generation);
    },
  };
}
