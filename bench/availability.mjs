// Availability during restarts: 4 clients in a bounded request loop (fresh connections) while 10
// edits land ~700 ms apart, for hot's three strategies and its peers, side by side in one run.
// Reports requests ok / failed and the longest window with no successful response.
// Usage: node bench/availability.mjs [--tools hot-proxy,nodemon] [--edits 10]
import os from 'node:os';
import path from 'node:path';
import { startLoad } from './lib/load.mjs';
import { BIN, freePort, launch, REPO, shutdown, tempProject, timeUntil, version } from './lib/harness.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};
const edits = Number(argument('edits', '10'));
const EDIT_SPACING_MS = 700;
const cli = path.join(REPO, 'dist', 'cli.js');
const hotConfig = (port, strategy) => `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = ${port}\nstrategy = "${strategy}"\n`;

/** One line per tool: how to run the app under it. `project` holds app.mjs; `port` is the public port. */
const TOOLS = [
  { name: 'hot (proxy)', version: () => version('..'), start: (p, port) => (p.write('.hotrc.toml', hotConfig(port, 'proxy')), launch(process.execPath, [cli], { cwd: p.dir })) },
  { name: 'hot (socket)', version: () => version('..'), start: (p, port) => (p.write('.hotrc.toml', hotConfig(port, 'socket')), launch(process.execPath, [cli], { cwd: p.dir })) },
  { name: 'hot (restart)', version: () => version('..'), start: (p, port) => (p.write('.hotrc.toml', hotConfig(port, 'restart')), launch(process.execPath, [cli], { cwd: p.dir })) },
  { name: 'nodemon', version: () => version('nodemon'), start: (p, port) => launch(path.join(BIN, 'nodemon'), ['--quiet', '--watch', 'app.mjs', 'app.mjs'], { cwd: p.dir, env: { PORT: String(port) } }) },
  { name: 'node --watch', version: () => process.version, start: (p, port) => launch(process.execPath, ['--watch', 'app.mjs'], { cwd: p.dir, env: { PORT: String(port) } }) },
  { name: 'tsx watch', version: () => version('tsx'), start: (p, port) => launch(path.join(BIN, 'tsx'), ['watch', 'app.mjs'], { cwd: p.dir, env: { PORT: String(port) } }) },
];

const only = argument('tools', null)?.split(',');
const selected = TOOLS.filter((tool) => !only || only.some((name) => tool.name.startsWith(name.replace('-', ' (')) || tool.name === name));

async function measure(tool) {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/ws-server.mjs' } });
  const port = await freePort();
  const running = tool.start(project, port);
  try {
    if ((await timeUntil(port, (body) => body.startsWith('v1 '), 20_000)) === null) return { error: 'never answered' };
    const load = startLoad(port, { keepAlive: false, clients: 4, maxRequests: 200_000 });
    let missed = 0;
    for (let i = 2; i <= edits + 1; i++) {
      const editedAt = performance.now();
      project.write('app.mjs', project.read('app.mjs').replace(/const VERSION = 'v\d+'/, `const VERSION = 'v${i}'`));
      if ((await timeUntil(port, (body) => body.startsWith(`v${i} `), 10_000)) === null) missed++;
      const wait = EDIT_SPACING_MS - (performance.now() - editedAt);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const report = await load.stop();
    return { ...report, missed };
  } finally {
    await shutdown(running);
    project.remove();
  }
}

const rows = [];
for (const tool of selected) {
  const result = await measure(tool);
  rows.push({ tool, result });
  process.stderr.write(`${tool.name}: ${result.error ?? `${result.failed} failed of ${result.ok + result.failed}`}\n`);
}

console.log(`### Availability during ${edits} restarts (4 clients, fresh connection per request, edits ${EDIT_SPACING_MS} ms apart)\n`);
console.log(`${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · Node ${process.versions.node}\n`);
console.log('| tool | version | requests ok | failed | failed % | errors | longest gap ms | edits never served |');
console.log('|---|---|---|---|---|---|---|---|');
for (const { tool, result } of rows) {
  if (result.error) {
    console.log(`| ${tool.name} | ${tool.version()} | – | – | – | ${result.error} | – | – |`);
    continue;
  }
  const total = result.ok + result.failed;
  const errors = Object.entries(result.errors).map(([code, n]) => `${code} ${n}`).join(', ') || '–';
  console.log(`| ${tool.name} | ${tool.version()} | ${result.ok} | ${result.failed} | ${((100 * result.failed) / total).toFixed(2)} | ${errors} | ${result.maxGapMs.toFixed(0)} | ${result.missed} |`);
}
const hot = rows.find((row) => row.tool.name === 'hot (proxy)' && !row.result.error);
if (hot) {
  console.log('\nLongest gap, hot (proxy) / peer:');
  for (const { tool, result } of rows) {
    if (tool === hot.tool || result.error) continue;
    console.log(`- vs ${tool.name}: ${(hot.result.maxGapMs / result.maxGapMs).toFixed(2)}`);
  }
}
