import net from 'node:net';
import { listeningSockets, liveGroupMembers, socketInodesOf, type ListeningSocket } from '../platform/proc.js';

/** Listens on host:port (0: any free port); resolves with the server, or with the error's code. */
function tryListen(host: string, port: number): Promise<{ server: net.Server; port: number } | { code: string }> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? 'UNKNOWN' }));
    server.listen({ host, port }, () => resolve({ server, port: (server.address() as net.AddressInfo).port }));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The system has no IPv6 loopback: ::1 cannot be bound, so nothing can squat on it either. */
const NO_IPV6 = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/**
 * Whether nothing listens on `port` on 127.0.0.1 nor on ::1 (where the system has IPv6): the proxy
 * connects to either, so a program on ::1 alone would receive a generation's traffic.
 */
export async function isFreeOnLoopback(port: number): Promise<boolean> {
  const ipv4 = await tryListen('127.0.0.1', port);
  if ('code' in ipv4) return false;
  const ipv6 = await tryListen('::1', port);
  await closeServer(ipv4.server);
  if ('code' in ipv6) return NO_IPV6.has(ipv6.code);
  await closeServer(ipv6.server);
  return true;
}

/** A port the system picks as free on 127.0.0.1. */
async function ephemeralPort(): Promise<number> {
  const found = await tryListen('127.0.0.1', 0);
  if ('code' in found) throw new Error(`cannot find a free port on 127.0.0.1 (${found.code})`);
  await closeServer(found.server);
  return found.port;
}

const PORT_ATTEMPTS = 20;

/** A port for a generation: free on 127.0.0.1 and on ::1. `candidates` is for tests (a port they hold on ::1 first). */
export async function findFreePort(candidates: () => Promise<number> = ephemeralPort): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await candidates();
    if (await isFreeOnLoopback(port)) return port;
  }
  throw new Error(`no port was free on both 127.0.0.1 and ::1 in ${PORT_ATTEMPTS} tries`);
}

/** Where to connect to reach a socket bound to `address`: loopback for the wildcard addresses. */
function connectableHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

/**
 * The address to reach the socket that a process of the group `pgid` listens on for `port` (null: any port);
 * undefined while no process of the group does (another program's listener does not count); null
 * when /proc cannot tell (not Linux, or a member's fds are not ours to read). The group's leader is
 * asked first: it is usually the one listening, and then no walk of /proc is needed.
 */
export function groupListenAddress(port: number | null, pgid: number): string | null | undefined {
  const sockets = listeningSockets(port);
  if (sockets === null) return null;
  if (sockets.length === 0) return undefined;
  const byInode = new Map(sockets.map((socket) => [socket.inode, socket]));
  const ownedBy = (pid: number): ListeningSocket[] | null => socketInodesOf(pid)?.flatMap((inode) => byInode.get(inode) ?? []) ?? null;
  const leaders = ownedBy(pgid);
  if (leaders && leaders.length > 0) return preferredHost(leaders);
  const members = liveGroupMembers(pgid);
  if (members === null) return null;
  let unreadable = false;
  const owned: ListeningSocket[] = [];
  for (const pid of members) {
    const found = pid === pgid ? leaders : ownedBy(pid);
    if (found === null) unreadable = true;
    else owned.push(...found);
  }
  if (owned.length > 0) return preferredHost(owned);
  return unreadable ? null : undefined;
}

/** Loopback first, IPv4 first (HOST says 127.0.0.1); another address (a LAN one) only when it is the only one. */
const HOST_RANK = ['127.0.0.1', '0.0.0.0', '::1', '::'];

function preferredHost(sockets: readonly ListeningSocket[]): string {
  const rank = (socket: ListeningSocket): number => {
    const index = HOST_RANK.indexOf(socket.address);
    return index === -1 ? HOST_RANK.length : index;
  };
  return connectableHost([...sockets].sort((a, b) => rank(a) - rank(b))[0]!.address);
}

/** Today's check where /proc cannot tell: the first of 127.0.0.1 and ::1 that accepts a connection, or undefined. */
function probeLoopback(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let pending = 2;
    for (const host of ['127.0.0.1', '::1']) {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(host);
      });
      socket.once('error', () => {
        socket.destroy();
        if (--pending === 0) resolve(undefined);
      });
    }
  });
}

/**
 * Resolves with the host to route to once a process of the group `pgid` listens on `port`, checking
 * every `intervalMs`; rejects when `signal` aborts. A connection that 127.0.0.1 or ::1 accepts comes
 * first (cheap); then /proc must show the listener is the group's own (a program squatting on the
 * port does not count). Where /proc cannot tell, the accepted connection alone counts, as it did.
 */
export async function waitForListener(port: number, pgid: number, signal: AbortSignal, intervalMs = 10): Promise<string> {
  for (;;) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const accepting = await probeLoopback(port);
    if (accepting !== undefined && !signal.aborted) {
      const owned = groupListenAddress(port, pgid);
      if (owned !== undefined) return owned ?? accepting;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, intervalMs);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** `:3000` for every address, `127.0.0.1:3000`, `[::1]:3000`. */
export function formatAddress(address: string, port: number): string {
  if (address === '::' || address === '0.0.0.0' || address === '' || address === '*') return `:${port}`;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `http://127.0.0.1:3000`, `http://[::1]:3000`. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
