import net from 'node:net';

/**
 * Which names the http proxy answers to. A page on another site can make its own name resolve to
 * 127.0.0.1 (DNS rebinding) and then read the app, hot's build errors and its 502 page as
 * same-origin; the one thing such a request cannot fake is its Host header, which still names the
 * other site. So only this machine's names get an answer: localhost and *.localhost (browsers
 * resolve them to the loopback themselves), IP addresses (no DNS lookup, so nothing to rebind),
 * the configured serve.host, and the names the user allowed.
 */
export interface HostPolicy {
  /** serve.host, the address hot listens on. */
  serveHost: string;
  /** serve.allowed_hosts, lower case: exact names, or `.example.test` for it and its subdomains; or any name. */
  allowedHosts: readonly string[] | 'any';
}

export type HostVerdict = { kind: 'allowed' } | { kind: 'refused'; status: 400 | 403; text: string };

const ALLOWED: HostVerdict = { kind: 'allowed' };

/** The verdict on a request's Host headers, from its raw header list (names and values alternating). */
export function checkHost(rawHeaders: readonly string[], policy: HostPolicy): HostVerdict {
  const hosts = rawHeaders.filter((_, index) => index % 2 === 1 && rawHeaders[index - 1]!.toLowerCase() === 'host');
  // HTTP/1.0 has no Host; a browser always sends one, so a request without it is no page's doing.
  if (hosts.length === 0) return ALLOWED;
  // RFC 9112 §3.2: answer 400. hot checks one Host and the app might read the other.
  if (hosts.length > 1) return { kind: 'refused', status: 400, text: 'hot: a request with more than one Host header is refused\n' };
  const name = hostnameOf(hosts[0]!);
  if (name === null) return { kind: 'refused', status: 400, text: `hot: the Host header ${JSON.stringify(hosts[0])} is not a host name\n` };
  if (isAllowedHost(name, policy)) return ALLOWED;
  return { kind: 'refused', status: 403, text: refusal(name) };
}

/** The name in a Host header (`Name.Test:3000` -> `name.test`, `[::1]:3000` -> `::1`), or null when it is not one. */
export function hostnameOf(header: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(header);
  if (bracketed) return net.isIPv6(bracketed[1]!) ? bracketed[1]!.toLowerCase() : null;
  const match = /^([a-z0-9_.-]+?)\.?(?::\d*)?$/i.exec(header);
  return match ? match[1]!.toLowerCase() : null;
}

/** Whether `name` (from hostnameOf) is one the proxy answers; see HostPolicy. */
export function isAllowedHost(name: string, policy: HostPolicy): boolean {
  if (policy.allowedHosts === 'any' || net.isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === hostnameOf(policy.serveHost)) return true;
  return policy.allowedHosts.some((allowed) => (allowed.startsWith('.') ? name === allowed.slice(1) || name.endsWith(allowed) : name === allowed));
}

function refusal(name: string): string {
  return [
    `hot: refused a request for the host ${JSON.stringify(name)}.`,
    '',
    'hot answers only localhost, *.localhost, IP addresses, serve.host and the names in serve.allowed_hosts,',
    'so that another web site cannot reach your app by pointing its own name at this machine (DNS rebinding).',
    'If this name is yours, allow it in .hotrc.toml:',
    '',
    '[serve]',
    `allowed_hosts = [${JSON.stringify(name)}]`,
    '',
  ].join('\n');
}
