/** A `listen()` on a TCP port, as Node reads its arguments; anything else (a path, an fd, a handle, port 0) is not one. */
export interface PortListen {
  port: number;
  /** As given (a name or an address); null for every address. */
  host: string | null;
  ipv6Only: boolean;
  /** What else the options said (backlog, exclusive, signal…), without port and host. */
  options: Record<string, unknown>;
  callback: ((...args: unknown[]) => void) | null;
}

/**
 * The forms of `server.listen`: (port[, host][, backlog][, cb]), (options[, cb]), (path…),
 * (handle…). Returns null for all but a TCP port from 1 to 65535: those pass through untouched, and
 * an invalid port is left to Node to reject with its own error.
 */
export function parsePortListen(args: readonly unknown[]): PortListen | null {
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as (...args: unknown[]) => void) : null;
  const first = args[0];
  if (typeof first === 'object' && first !== null) return fromOptions(first as Record<string, unknown>, callback);
  if (typeof first !== 'number' && !(typeof first === 'string' && /^\d+$/.test(first))) return null;
  const port = Number(first);
  if (!isPort(port)) return null;
  const host = typeof args[1] === 'string' && args[1] !== '' ? args[1] : null;
  const backlog = toNumber(args[1]) ?? toNumber(args[2]);
  return { port, host, ipv6Only: false, options: backlog === undefined ? {} : { backlog }, callback };
}

function fromOptions(given: Record<string, unknown>, callback: PortListen['callback']): PortListen | null {
  if ('_handle' in given || 'handle' in given || typeof given.fd === 'number' || given.path !== undefined) return null;
  const { port: rawPort, host: rawHost, ...options } = given;
  if (typeof rawPort !== 'number' && !(typeof rawPort === 'string' && /^\d+$/.test(rawPort))) return null;
  const port = Number(rawPort);
  if (!isPort(port)) return null;
  const host = typeof rawHost === 'string' && rawHost !== '' ? rawHost : null;
  return { port, host, ipv6Only: given.ipv6Only === true, options, callback };
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port < 65536;
}

/** Node's reading of a backlog argument: a number, or a numeric string. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** How hot and the preload name a listening socket: `<address or *> <port>`, ` v6only` when set. */
export function socketKey(address: string | null, port: number, ipv6Only: boolean): string {
  return `${address ?? '*'} ${port}${ipv6Only ? ' v6only' : ''}`;
}
