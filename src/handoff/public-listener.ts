import type { Server } from 'node:net';
import { HandoffError } from '../errors.js';
import { findPortOwner } from './port-owner.js';

/** The addresses a public host name stands for: `localhost` is both loopbacks, since clients may pick either. */
export function hostsFor(host: string): string[] {
  return host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
}

/**
 * Listens with one server per address. A taken port is a HandoffError naming the port and, when
 * Linux can tell, the process holding it. An unavailable ::1 (IPv6 off) is skipped for `localhost`.
 */
export async function listenPublic(servers: Server[], hosts: string[], port: number, optionalHosts: string[] = ['::1']): Promise<number> {
  let boundPort = port;
  for (const [index, server] of servers.entries()) {
    const host = hosts[index]!;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: boundPort, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      if (address && typeof address === 'object') boundPort = address.port;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') && optionalHosts.includes(host) && index > 0) continue;
      if (code === 'EADDRINUSE') {
        const owner = findPortOwner(boundPort);
        const who = owner ? ` by pid ${owner.pid}${owner.command ? ` (${owner.command})` : ''}` : '';
        throw new HandoffError(`port ${boundPort} is already in use${who}`, {
          hint: owner ? `stop that process, or set another port under [serve]` : 'stop whatever listens there, or set another port under [serve]',
          cause: error,
        });
      }
      if (code === 'EACCES') throw new HandoffError(`no permission to listen on port ${boundPort}`, { hint: 'use a port above 1023', cause: error });
      throw error;
    }
  }
  return boundPort;
}

export function closeServers(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
        }),
    ),
  ).then(() => undefined);
}
