import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.includes(name) && !listed.includes(name)) result[name] = value;
  }
  return result;
}

/** Set by hot from what it saw; whatever a client sent under these names is replaced or extended. */
const FORWARDING = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/**
 * The forwarding headers for the app, from hot's own view: the client spoke plain HTTP to hot, for
 * the Host it sent, and its address is appended to the X-Forwarded-For it may have brought. A
 * client-sent X-Forwarded-Proto or -Host would otherwise make the app believe in HTTPS or another name.
 */
function forwardingOf(request: IncomingMessage): Record<string, string> {
  const client = request.socket.remoteAddress ?? '';
  const earlier = request.headers['x-forwarded-for'];
  const result: Record<string, string> = { 'x-forwarded-for': earlier ? `${earlier}, ${client}` : client, 'x-forwarded-proto': 'http' };
  if (request.headers.host) {
    result.host = request.headers.host;
    result['x-forwarded-host'] = request.headers.host;
  }
  return result;
}

/** The headers of a request as the app gets them: hop-by-hop ones dropped, the forwarding ones hot's. */
export function forwardedHeaders(request: IncomingMessage): IncomingHttpHeaders {
  const headers = withoutHopByHop(request.headers);
  // A chunked body must stay chunked on the way up: Node would otherwise send it raw for GET or DELETE.
  if (request.headers['transfer-encoding'] !== undefined && request.headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  for (const name of FORWARDING) delete headers[name];
  return { ...headers, ...forwardingOf(request) };
}

/**
 * The head of an upgrade request (WebSocket) for the raw tunnel to the app: the client's headers in
 * their order and spelling (Connection and Upgrade included, which the upgrade needs), except that
 * Host appears once and the forwarding headers are hot's, as for any other request.
 */
export function upgradeRequestHead(request: IncomingMessage): string {
  const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (!FORWARDING.includes(raw[i]!.toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  for (const [name, value] of Object.entries(forwardingOf(request))) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
