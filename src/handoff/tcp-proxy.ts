import net from 'node:net';
import type { TargetBoard } from './target-board.js';

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
      void board.wait(waitTimeoutMs).then((wait) => {
        if (wait.kind !== 'target' || socket.destroyed) return void socket.destroy();
        const { generation } = wait.target;
        const upstream = net.connect({ host: wait.target.host, port: wait.target.port, noDelay: true });
        const sockets = pinned.get(generation) ?? new Set<net.Socket>();
        pinned.set(generation, sockets);
        sockets.add(socket);
        upstream.once('connect', () => {
          socket.pipe(upstream).pipe(socket);
          socket.resume();
        });
        upstream.on('error', () => socket.destroy());
        upstream.on('close', () => socket.destroy());
        socket.on('close', () => {
          sockets.delete(socket);
          upstream.destroy();
        });
      });
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
