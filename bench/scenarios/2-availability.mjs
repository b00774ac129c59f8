// Availability during restarts: 4 clients in a bounded request loop (fresh connections) while 10
// edits land ~700 ms apart. hot runs with its zero-downtime proxy (--port), and with no config at all
// (the app listens on its own port: hot holds the socket), and with hold = false (a plain restart);
// the peers restart in place.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { quantile, startLoad } from '../lib/load.mjs';
import { freePort, launch, sleep, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';
import { CLI } from '../lib/tools.mjs';

export const title = 'Availability during restarts';
const EDITS = 10;
const SPACING_MS = 700;

async function measure(tool) {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/ws-server.mjs' } });
  try {
    const port = await freePort();
    const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: {}, serve: { port } };
    return await withTool(tool, ctx, async () => {
      if ((await timeUntil(port, (body) => body.startsWith('v1 '))) === null) return { error: 'never served' };
      const load = startLoad(port, { keepAlive: false, clients: 4, maxRequests: 300_000, recordLatency: true });
      let missed = 0;
      for (let i = 2; i <= EDITS + 1; i++) {
        const editedAt = performance.now();
        project.write('app.mjs', project.read('app.mjs').replace(/const VERSION = 'v\d+'/, `const VERSION = 'v${i}'`));
        if ((await timeUntil(port, (body) => body.startsWith(`v${i} `), 10_000)) === null) missed++;
        await sleep(Math.max(0, SPACING_MS - (performance.now() - editedAt)));
      }
      return { ...(await load.stop()), missed };
    });
  } finally {
    project.remove();
  }
}

/** hot with no [serve] port: the app listens on PORT itself, hot holds that socket (or, with hold = false, restarts in place). */
function hotWithoutPort(hot, hold) {
  return {
    name: hold ? 'hot, no config' : 'hot, hold = false',
    version: hot.version,
    start(ctx) {
      if (!hold) writeFileSync(path.join(ctx.dir, '.hotrc.toml'), `bin = "node ${ctx.entry}"\n[serve]\nhold = false\n`);
      const run = hold ? ['--', 'node', ctx.entry] : [];
      return launch(process.execPath, [CLI, '--quiet', ...run], { cwd: ctx.dir, env: { ...ctx.env, PORT: String(ctx.serve.port) } });
    },
  };
}

/** Every tool, with hot's two runs without a port right after hot. */
function withHotVariants(tools) {
  return tools.flatMap((tool) => (tool.name === 'hot' ? [tool, hotWithoutPort(tool, true), hotWithoutPort(tool, false)] : [tool]));
}

export async function run({ tools, log }) {
  const rows = [];
  let hotGap = null;
  const gaps = {};
  for (const tool of withHotVariants(tools)) {
    const r = await measure(tool);
    if (!r) rows.push([tool.name, tool.version(), 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
    else if (r.error) rows.push([tool.name, tool.version(), '–', '–', '–', r.error, '–', '–', '–']);
    else {
      const total = r.ok + r.failed;
      const errors = Object.entries(r.errors).map(([code, n]) => `${code} ${n}`).join(', ') || '–';
      const latency = `${quantile(r.latenciesMs, 0.5).toFixed(2)} / ${quantile(r.latenciesMs, 0.99).toFixed(1)}`;
      rows.push([tool.name, tool.version(), String(r.ok), String(r.failed), ((100 * r.failed) / total).toFixed(2), errors, r.maxGapMs.toFixed(0), latency, String(r.missed)]);
      if (tool.name === 'hot') hotGap = r.maxGapMs;
      else if (!tool.name.startsWith('hot')) gaps[tool.name] = r.maxGapMs;
    }
    log(`${tool.name}: ${rows.at(-1).slice(2).join(' / ')}`);
  }
  const ratios = hotGap === null ? [] : Object.entries(gaps).map(([name, gap]) => `${name} ${(hotGap / gap).toFixed(2)}`);
  return [
    `4 clients, a fresh connection per request, ${EDITS} edits ${SPACING_MS} ms apart, a server that takes ~100 ms to start (fixtures/apps/ws-server.mjs). hot runs with \`--port\` (its proxy); "hot, no config" runs \`hot -- node app.mjs\` and the server listens on its own port, which hot holds and hands over; "hot, hold = false" is the plain restart. The peers run the server on the public port themselves. Latency is over the whole run, restarts included.`,
    '',
    table(['tool', 'version', 'requests ok', 'failed', 'failed %', 'errors', 'longest gap ms', 'latency p50 / p99 ms', 'edits never served'], rows),
    '',
    `Longest gap, hot / peer: ${ratios.join(' · ') || '–'}`,
  ].join('\n');
}
