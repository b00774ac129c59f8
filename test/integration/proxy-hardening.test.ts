import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { output, until } from '../helpers/interact.js';
import { useSession, type Session } from '../helpers/session.js';

/**
 * The app behind hot for these tests, no dependencies: /headers answers the request's headers as
 * JSON; /stream is an HTML page that writes its first part, then waits for a request to /finish
 * before it writes the rest; an upgrade request is answered with its raw headers as JSON.
 */
const APP = `
import { createServer } from 'node:http';
let finish = () => {};
const server = createServer((request, response) => {
  if (request.url === '/headers') {
    response.setHeader('content-type', 'application/json');
    return response.end(JSON.stringify({ headers: request.headers, raw: request.rawHeaders }));
  }
  if (request.url === '/stream') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.write('<html><body>first ');
    finish = () => response.end('last</body></html>');
    return;
  }
  if (request.url === '/finish') finish();
  response.end('ok');
});
server.on('upgrade', (request, socket) => {
  socket.end('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: test\\r\\nConnection: Upgrade\\r\\n\\r\\n' + JSON.stringify(request.rawHeaders));
});
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log('app ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface Answer {
  status: number;
  body: string;
}

/** The app under hot with the http proxy on a free port and live reload; resolves with hot's port. */
async function startApp(session: Session, extraServe = ''): Promise<{ hot: HotProcess; port: number }> {
  const project = session.project();
  project.write('app.mjs', APP);
  project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = 0\nlive_reload = true\n${extraServe}`);
  const hot = session.run(project, []);
  const [, port] = await hot.interact(output(/\[hot\] started .* on http:\/\/\S+:(\d+)/));
  await hot.interact(output(/app ready/));
  return { hot, port: Number(port) };
}

/** One request on a fresh connection with exactly these headers (a Host among them, or none). */
function request(port: number, path: string, headers: Record<string, string | string[]> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: '127.0.0.1', port, path, agent: false, setHost: false, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Sends `head` as written (for what http.request will not send: two Host headers, HTTP/1.0) and reads until the end. */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const upgradeHead = (port: number, extra = ''): string => `GET /ws HTTP/1.1\r\nHost: localhost:${port}\r\n${extra}Connection: Upgrade\r\nUpgrade: test\r\n\r\n`;

describe('the http proxy answers only names of this machine (DNS rebinding)', () => {
  const session = useSession();

  it('refuses another Host with a 403 naming it, on the app, /__hot/ and upgrades', async () => {
    const { port } = await startApp(session);
    for (const path of ['/headers', '/__hot/events', '/__hot/live-reload.js']) {
      const refused = await request(port, path, { host: `rebound.example:${port}` });
      expect({ path, status: refused.status }).toEqual({ path, status: 403 });
      expect(refused.body).toContain('"rebound.example"');
      expect(refused.body).toContain('allowed_hosts');
    }
    const upgrade = await rawRequest(port, upgradeHead(port).replace(`localhost:${port}`, 'rebound.example'));
    expect(upgrade).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('answers localhost, *.localhost, loopback and other IP addresses, with or without the port, and HTTP/1.0 without Host', async () => {
    const { port } = await startApp(session);
    for (const host of [`localhost:${port}`, 'localhost', `app.localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `192.168.1.20:${port}`, 'LOCALHOST.']) {
      expect({ host, status: (await request(port, '/headers', { host })).status }).toEqual({ host, status: 200 });
    }
    expect(await rawRequest(port, 'GET /headers HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('answers the names of serve.allowed_hosts; a leading dot takes subdomains', async () => {
    const { port } = await startApp(session, 'allowed_hosts = ["myapp.test", ".example.test"]\n');
    for (const host of [`myapp.test:${port}`, 'example.test', `deep.sub.example.test:${port}`]) {
      expect({ host, status: (await request(port, '/headers', { host })).status }).toEqual({ host, status: 200 });
    }
    for (const host of ['sub.myapp.test', 'notexample.test', 'example.test.evil']) {
      expect({ host, status: (await request(port, '/headers', { host })).status }).toEqual({ host, status: 403 });
    }
  });

  it('answers any name with allowed_hosts = true', async () => {
    const { port } = await startApp(session, 'allowed_hosts = true\n');
    expect((await request(port, '/headers', { host: 'anything.example' })).status).toBe(200);
  });

  it('refuses a request with two Host headers with a 400, upgrades included', async () => {
    const { port } = await startApp(session);
    expect(await rawRequest(port, `GET /headers HTTP/1.1\r\nHost: localhost:${port}\r\nHost: rebound.example\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawRequest(port, upgradeHead(port, 'Host: rebound.example\r\n'))).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe('the http proxy sets the forwarding headers from its own view', () => {
  const session = useSession();
  const spoofed = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'spoofed.example', 'x-forwarded-for': '203.0.113.9' };

  it('replaces X-Forwarded-Proto and -Host and appends the client to X-Forwarded-For', async () => {
    const { port } = await startApp(session);
    const seen = JSON.parse((await request(port, '/headers', { host: `localhost:${port}`, ...spoofed })).body) as { headers: Record<string, string> };
    expect(seen.headers).toMatchObject({ host: `localhost:${port}`, 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${port}`, 'x-forwarded-for': '203.0.113.9, 127.0.0.1' });
  });

  it('sends an upgrade request on with one Host and the same forwarding headers', async () => {
    const { port } = await startApp(session);
    const answer = await rawRequest(port, upgradeHead(port, Object.entries(spoofed).map(([name, value]) => `${name}: ${value}\r\n`).join('')));
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    const raw = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as string[];
    const valuesOf = (name: string): string[] => raw.filter((_, index) => index % 2 === 1 && raw[index - 1]!.toLowerCase() === name);
    expect(valuesOf('host')).toEqual([`localhost:${port}`]);
    expect(valuesOf('x-forwarded-proto')).toEqual(['http']);
    expect(valuesOf('x-forwarded-host')).toEqual([`localhost:${port}`]);
    expect(valuesOf('x-forwarded-for')).toEqual(['203.0.113.9, 127.0.0.1']);
    expect(valuesOf('upgrade')).toEqual(['test']);
  });
});

describe('live reload with streaming HTML', () => {
  const session = useSession();

  it('passes the first part of a page on before the page ends, with the script tag', async () => {
    const { hot, port } = await startApp(session);
    let received = '';
    let ended = false;
    const outgoing = http.get({ host: '127.0.0.1', port, path: '/stream', agent: false, headers: { host: `localhost:${port}` } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (received += chunk));
      response.on('end', () => (ended = true));
    });
    session.onCleanup(() => outgoing.destroy());
    await hot.interact(until('the first part of the page has arrived', () => received.includes('first')));
    expect(ended).toBe(false);
    expect(received).toContain('/__hot/live-reload.js');
    await request(port, '/finish', { host: `localhost:${port}` });
    await hot.interact(until('the page has ended', () => ended));
    expect(received).toMatch(/^<html><body><script [^>]*src="\/__hot\/live-reload\.js"[^>]*><\/script>first last<\/body><\/html>$/);
  });
});

describe('live reload event streams', () => {
  const session = useSession();

  it('keeps at most 100 open: the oldest is told to stop, and its connection closed', async () => {
    const { hot, port } = await startApp(session);
    const streams = Array.from({ length: 101 }, () => ({ text: '', ended: false, closed: false }));
    for (const stream of streams) {
      await new Promise<void>((resolve, reject) => {
        const outgoing = http.get({ host: '127.0.0.1', port, path: '/__hot/events', agent: false, headers: { host: `localhost:${port}` } }, (response) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (stream.text += chunk));
          response.on('end', () => (stream.ended = true));
          resolve();
        });
        outgoing.on('socket', (socket) => socket.on('close', () => (stream.closed = true)));
        outgoing.on('error', reject);
        session.onCleanup(() => outgoing.destroy());
      });
    }
    await hot.interact(until('the oldest event stream has ended and its connection closed', () => streams[0]!.ended && streams[0]!.closed));
    expect(streams[0]!.text).toContain('event: evicted');
    expect(streams.slice(1).filter((stream) => stream.ended || stream.closed)).toEqual([]);
  });
});
