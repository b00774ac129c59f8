// What hot's HTTP proxy costs per request: the same tiny server measured directly, through hot
// ([serve] strategy = "proxy"), and under hot with no config (hot holds the socket the server listens
// on: no hop), with keep-alive clients and with a fresh connection per request.
// Then paced keep-alive requests to a server that closes idle connections quickly, where the proxy
// retries on a fresh connection: failures and the longest wait without an answer.
import path from 'node:path';
import { startLoad, quantile } from '../lib/load.mjs';
import { freePort, launch, REPO, shutdown, table, tempProject, timeUntil } from '../lib/harness.mjs';

export const title = 'Proxy overhead (hot only)';
const seconds = 5;
/** The paced run: requests per client, the pause between them, the server's idle keep-alive timeout. */
const PACED = { requests: 150, pauseMs: 40, keepAliveMs: 40 };
const cli = path.join(REPO, 'dist', 'cli', 'main.cjs');

async function measure(port, keepAlive) {
  const load = startLoad(port, { keepAlive, clients: 4, recordLatency: true, maxRequests: 2_000_000 });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const report = await load.stop();
  return { rps: report.ok / seconds, p50: quantile(report.latenciesMs, 0.5), p99: quantile(report.latenciesMs, 0.99), failed: report.failed };
}

/** 2 keep-alive clients, each request `pauseMs` after the last: the server's idle timeout races them. */
async function measurePaced(port) {
  const load = startLoad(port, { keepAlive: true, clients: 2, maxRequests: 2 * PACED.requests, pauseMs: PACED.pauseMs, timeoutMs: 3000 });
  for (let progress = load.progress(); progress.ok + progress.failed < 2 * PACED.requests; progress = load.progress()) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const report = await load.stop();
  return { ok: report.ok, failed: report.failed, errors: report.errors, maxGapMs: report.maxGapMs };
}

/** target: 'direct' (node app.mjs), 'hot' (through the proxy), 'held' (hot with no config, the app on its own port). */
async function withServer(target, run, appEnv = {}) {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/ws-server.mjs' } });
  project.write('app.mjs', project.read('app.mjs').replace('const STARTUP_MS = 100;', 'const STARTUP_MS = 0;'));
  const port = await freePort();
  let tool;
  if (target === 'held') {
    tool = launch(process.execPath, [cli, '--quiet', '--', 'node', 'app.mjs'], { cwd: project.dir, env: { ...appEnv, PORT: String(port) } });
  } else if (target === 'hot') {
    const env = Object.entries(appEnv).map(([key, value]) => `${key} = "${value}"`).join(', ');
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[run]\nenv = { ${env} }\n[serve]\nport = ${port}\n`);
    tool = launch(process.execPath, [cli, '--quiet'], { cwd: project.dir });
  } else {
    tool = launch(process.execPath, ['app.mjs'], { cwd: project.dir, env: { ...appEnv, PORT: String(port) } });
  }
  try {
    await timeUntil(port, (body) => body.startsWith('v1 '));
    return await run(port);
  } finally {
    await shutdown(tool);
    project.remove();
  }
}

const TARGETS = { direct: 'direct', hot: 'through hot', held: 'held by hot, no config' };

export async function run({ log }) {
  const results = {};
  for (const keepAlive of [true, false]) {
    const mode = keepAlive ? 'keep-alive' : 'fresh connection';
    results[mode] = {
      direct: await withServer('direct', (port) => measure(port, keepAlive)),
      hot: await withServer('hot', (port) => measure(port, keepAlive)),
      held: await withServer('held', (port) => measure(port, keepAlive)),
    };
    log(`${mode}: done`);
  }
  const appEnv = { KEEP_ALIVE_MS: String(PACED.keepAliveMs) };
  const paced = {
    direct: await withServer('direct', measurePaced, appEnv),
    hot: await withServer('hot', measurePaced, appEnv),
  };
  log('paced keep-alive: done');
  const ms = (value) => value.toFixed(3);
  const rows = [];
  for (const [mode, pair] of Object.entries(results)) {
    for (const [target, r] of Object.entries(pair)) rows.push([mode, TARGETS[target], r.rps.toFixed(0), ms(r.p50), ms(r.p99), String(r.failed)]);
  }
  const summary = Object.entries(results).flatMap(([mode, { direct, hot, held }]) => [
    `- ${mode}: added latency p50 ${ms(hot.p50 - direct.p50)} ms, p99 ${ms(hot.p99 - direct.p99)} ms; throughput hot/direct = ${(hot.rps / direct.rps).toFixed(2)}`,
    `- ${mode}, held socket (no config): added latency p50 ${ms(held.p50 - direct.p50)} ms, p99 ${ms(held.p99 - direct.p99)} ms; throughput held/direct = ${(held.rps / direct.rps).toFixed(2)}`,
  ]);
  return [
    `4 clients for ${seconds} s per row, loopback, a server with no start-up work. The load generator is Node too and shares the 2 cores with the app and hot, so the absolute numbers are pessimistic.`,
    '',
    table(['connections', 'target', 'requests/s', 'p50 ms', 'p99 ms', 'failed'], rows),
    '',
    ...summary,
    '',
    `Paced: 2 keep-alive clients, ${PACED.requests} requests each, ${PACED.pauseMs} ms apart, to the same server closing connections idle for ${PACED.keepAliveMs} ms (\`KEEP_ALIVE_MS\`, as servers in other languages do): a request can go out on a connection the server is closing. hot's proxy retries such a request on a fresh connection.`,
    '',
    table(
      ['target', 'requests ok', 'failed', 'errors', 'longest gap ms'],
      Object.entries(paced).map(([target, r]) => [
        TARGETS[target],
        String(r.ok),
        String(r.failed),
        Object.entries(r.errors).map(([code, n]) => `${code} ${n}`).join(', ') || '–',
        r.maxGapMs.toFixed(0),
      ]),
    ),
  ].join('\n');
}
