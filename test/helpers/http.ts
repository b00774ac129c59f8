import http from 'node:http';
import net from 'node:net';

/**
 * Ports for programs that need a fixed one come from below the kernel's ephemeral range (32768 and
 * up on Linux), so no outgoing connection (a load generator in another worker) can take one between
 * the check here and the program's bind. Each worker process starts at its own place in the range
 * and moves on with every port it hands out, so parallel workers and sessions do not meet.
 */
const FIRST_PORT = 20_000;
const PORTS = 12_000;
let nextOffset = (Number(process.env.VITEST_POOL_ID ?? 0) * 3001 + process.pid * 7) % PORTS;

/** A port that is free now and that no other test of this run will be given. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST_PORT + (nextOffset++ % PORTS);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found in 100 tries');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** One GET on a fresh connection; rejects on refusal or after `timeoutMs`. */
export function get(port: number, pathName = '/', timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathName, agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}
