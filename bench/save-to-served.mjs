// Save -> served latency of hot on the demo app (fixtures/projects/esbuild-basic), next to the floor:
// spawning the built bundle with plain node until its first response. Prints a markdown table.
// Usage: node bench/save-to-served.mjs [--edits 15]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const edits = Number(process.argv[process.argv.indexOf('--edits') + 1]) || 15;
const DEADLINE_MS = 20_000;

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const get = (port) =>
  new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, agent: false, timeout: 1000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });

/** Polls with fresh connections every ~2 ms until the body contains `text`; returns the ms it took. */
async function timeUntilServed(port, text, startedAt) {
  while (performance.now() - startedAt < DEADLINE_MS) {
    try {
      if ((await get(port)).includes(text)) return performance.now() - startedAt;
    } catch {
      // Refused or reset while the server restarts: keep polling.
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`"${text}" not served within ${DEADLINE_MS} ms`);
}

const stats = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { min: sorted[0], p50: at(0.5), p90: at(0.9), n: sorted.length };
};

async function measureHot() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-'));
  cpSync(path.join(repo, 'fixtures/projects/esbuild-basic'), dir, { recursive: true });
  // Bundle into the temp project, so the floor below runs the very file hot ran.
  const config = path.join(dir, '.hotrc.toml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('entry = "src/server.ts"', 'entry = "src/server.ts"\noutfile = "dist/server.mjs"'));
  const port = await freePort();
  const hot = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), '--quiet'], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), NO_COLOR: '1' },
    stdio: 'ignore',
  });
  try {
    await timeUntilServed(port, '"version":"v1"', performance.now());
    const samples = [];
    for (let i = 2; i <= edits + 1; i++) {
      const startedAt = performance.now();
      writeFileSync(path.join(dir, 'src/version.ts'), `export const VERSION: string = 'v${i}';\n`);
      samples.push(await timeUntilServed(port, `"version":"v${i}"`, startedAt));
    }
    return { samples, dir };
  } finally {
    hot.kill('SIGINT');
    await new Promise((resolve) => hot.once('exit', resolve));
  }
}

async function measureFloor(bundle) {
  const samples = [];
  for (let i = 0; i < edits; i++) {
    const port = await freePort();
    const startedAt = performance.now();
    const child = spawn(process.execPath, ['--enable-source-maps', bundle], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
    samples.push(await timeUntilServed(port, '"version"', startedAt));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return samples;
}

const { samples, dir } = await measureHot();
const floor = await measureFloor(path.join(dir, 'dist/server.mjs'));
rmSync(dir, { recursive: true, force: true });

const row = (name, s) => `| ${name} | ${s.n} | ${s.min.toFixed(0)} | ${s.p50.toFixed(0)} | ${s.p90.toFixed(0)} |`;
const hotStats = stats(samples);
const floorStats = stats(floor);
console.log(`### Save -> served latency, demo app (fixtures/projects/esbuild-basic)\n\n${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · Node ${process.versions.node}\n`);
console.log('| what | n | min ms | p50 ms | p90 ms |');
console.log('|---|---|---|---|---|');
console.log(row('hot (esbuild, edit -> new version served)', hotStats));
console.log(row('floor: `node bundle.mjs` spawn -> first response', floorStats));
console.log(`\nhot p50 / floor p50 = ${(hotStats.p50 / floorStats.p50).toFixed(2)}`);
