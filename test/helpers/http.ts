import http from 'node:http';
import net from 'node:net';

/**
 * Ports for programs that need a fixed one come from below the kernel's ephemeral range (32768 and
 * up on Linux), so no outgoing connection (a load generator in another worker) can take one between
 * the check here and the program's bind. The range is cut into slices, one per worker slot
 * (VITEST_POOL_ID, 1 to maxWorkers, at most 8): two files that run at the same time never share a slot, so a
 * port handed out in one cannot be handed out in the other before its program has bound it. Each
 * file starts at its own place in its slice and moves on with every port it hands out.
 */
const FIRST_PORT = 20_000;
const SLICES = 8;
const SLICE = 1_500;
const slot = (Math.max(1, Number(process.env.VITEST_POOL_ID ?? 1)) - 1) % SLICES;
let nextOffset = (process.pid * 7) % SLICE;

/** A port that is free now and that no other test of this run will be given. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST_PORT + slot * SLICE + (nextOffset++ % SLICE);
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
