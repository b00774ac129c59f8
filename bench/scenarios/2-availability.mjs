// Availability during restarts: 4 clients in a bounded request loop (fresh connections) while 10
// edits land ~700 ms apart. hot runs with its zero-downtime proxy (--port); the peers restart in place.
import { startLoad } from '../lib/load.mjs';
import { freePort, sleep, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';

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
      const load = startLoad(port, { keepAlive: false, clients: 4, maxRequests: 300_000 });
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

export async function run({ tools, log }) {
  const rows = [];
  let hotGap = null;
  const gaps = {};
  for (const tool of tools) {
    const r = await measure(tool);
    if (!r) rows.push([tool.name, tool.version(), 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
    else if (r.error) rows.push([tool.name, tool.version(), '–', '–', '–', r.error, '–', '–']);
    else {
      const total = r.ok + r.failed;
      const errors = Object.entries(r.errors).map(([code, n]) => `${code} ${n}`).join(', ') || '–';
      rows.push([tool.name, tool.version(), String(r.ok), String(r.failed), ((100 * r.failed) / total).toFixed(2), errors, r.maxGapMs.toFixed(0), String(r.missed)]);
      if (tool.name === 'hot') hotGap = r.maxGapMs;
      else gaps[tool.name] = r.maxGapMs;
    }
    log(`${tool.name}: ${rows.at(-1).slice(2).join(' / ')}`);
  }
  const ratios = hotGap === null ? [] : Object.entries(gaps).map(([name, gap]) => `${name} ${(hotGap / gap).toFixed(2)}`);
  return [
    `4 clients, a fresh connection per request, ${EDITS} edits ${SPACING_MS} ms apart, a server that takes ~100 ms to start (fixtures/apps/ws-server.mjs). hot runs with \`--port\` (its proxy); the peers run the server on the public port themselves.`,
    '',
    table(['tool', 'version', 'requests ok', 'failed', 'failed %', 'errors', 'longest gap ms', 'edits never served'], rows),
    '',
    `Longest gap, hot / peer: ${ratios.join(' · ') || '–'}`,
  ].join('\n');
}
