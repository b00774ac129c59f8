// What hot's HTTP proxy costs per request: the same tiny server measured directly and through hot
// ([serve] strategy = "proxy"), with keep-alive clients and with a fresh connection per request.
import path from 'node:path';
import { startLoad, quantile } from '../lib/load.mjs';
import { freePort, launch, REPO, shutdown, table, tempProject, timeUntil } from '../lib/harness.mjs';

export const title = 'Proxy overhead (hot only)';
const seconds = 5;
const cli = path.join(REPO, 'dist', 'cli', 'main.js');

async function measure(port, keepAlive) {
  const load = startLoad(port, { keepAlive, clients: 4, recordLatency: true, maxRequests: 2_000_000 });
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const report = await load.stop();
  return { rps: report.ok / seconds, p50: quantile(report.latenciesMs, 0.5), p99: quantile(report.latenciesMs, 0.99), failed: report.failed };
}

async function withServer(viaHot, run) {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/ws-server.mjs' } });
  project.write('app.mjs', project.read('app.mjs').replace('const STARTUP_MS = 100;', 'const STARTUP_MS = 0;'));
  const port = await freePort();
  let tool;
  if (viaHot) {
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[serve]\nport = ${port}\n`);
    tool = launch(process.execPath, [cli, '--quiet'], { cwd: project.dir });
  } else {
    tool = launch(process.execPath, ['app.mjs'], { cwd: project.dir, env: { PORT: String(port) } });
  }
  try {
    await timeUntil(port, (body) => body.startsWith('v1 '));
    return await run(port);
  } finally {
    await shutdown(tool);
    project.remove();
  }
}

export async function run({ log }) {
  const results = {};
  for (const keepAlive of [true, false]) {
    const mode = keepAlive ? 'keep-alive' : 'fresh connection';
    results[mode] = {
      direct: await withServer(false, (port) => measure(port, keepAlive)),
      hot: await withServer(true, (port) => measure(port, keepAlive)),
    };
    log(`${mode}: done`);
  }
  const ms = (value) => value.toFixed(3);
  const rows = [];
  for (const [mode, pair] of Object.entries(results)) {
    for (const [target, r] of Object.entries(pair)) rows.push([mode, target === 'hot' ? 'through hot' : 'direct', r.rps.toFixed(0), ms(r.p50), ms(r.p99), String(r.failed)]);
  }
  const summary = Object.entries(results).map(
    ([mode, { direct, hot }]) => `- ${mode}: added latency p50 ${ms(hot.p50 - direct.p50)} ms, p99 ${ms(hot.p99 - direct.p99)} ms; throughput hot/direct = ${(hot.rps / direct.rps).toFixed(2)}`,
  );
  return [
    `4 clients for ${seconds} s per row, loopback, a server with no start-up work. The load generator is Node too and shares the 2 cores with the app and hot, so the absolute numbers are pessimistic.`,
    '',
    table(['connections', 'target', 'requests/s', 'p50 ms', 'p99 ms', 'failed'], rows),
    '',
    ...summary,
  ].join('\n');
}
