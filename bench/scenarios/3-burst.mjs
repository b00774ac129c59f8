// Burst: 300 files written at once (a git checkout): how many restarts it causes, and when the
// last restart served. The ideal is one restart.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort, sleep, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';

export const title = 'Burst of 300 files';
const FILES = 300;
const QUIET_MS = 3000;

const APP = `import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
appendFileSync(process.env.START_LOG, 'start\\n');
const server = createServer((request, response) => response.end(\`up \${process.pid}\\n\`));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const starts = (log) => {
  try {
    return readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

async function measure(tool) {
  const project = tempProject({ 'app.mjs': { text: APP } });
  // The start log lives outside the project, so writing it never looks like a change.
  const log = path.join(os.tmpdir(), `hot-bench-starts-${randomUUID()}.log`);
  try {
    const port = await freePort();
    // The data files are imported by nothing: only watchers of the directory see them.
    const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: { PORT: String(port), START_LOG: log } };
    return await withTool(tool, ctx, async () => {
      if ((await timeUntil(port, (body) => body.startsWith('up '))) === null) return { error: 'never served' };
      await sleep(1000); // let the watcher settle before the burst
      const before = starts(log);
      const burstAt = performance.now();
      for (let i = 0; i < FILES; i++) project.write(`file${i}.json`, JSON.stringify({ i }));
      // Restarts are counted until the start log has been quiet for QUIET_MS (bounded to 20 s).
      let lastChangeAt = performance.now();
      let count = starts(log);
      let lastStartAt = null;
      while (performance.now() - lastChangeAt < QUIET_MS && performance.now() - burstAt < 20_000) {
        await sleep(20);
        const now = starts(log);
        if (now !== count) {
          count = now;
          lastChangeAt = performance.now();
          lastStartAt = lastChangeAt;
        }
      }
      const served = lastStartAt === null ? null : await timeUntil(port, (body) => body.startsWith('up '), 5000);
      return { restarts: count - before, lastServedMs: lastStartAt === null || served === null ? null : lastStartAt - burstAt + served };
    });
  } finally {
    project.remove();
  }
}

export async function run({ tools, log }) {
  const rows = [];
  for (const tool of tools) {
    const r = await measure(tool);
    if (!r) rows.push([tool.name, tool.version(), 'n/a', 'n/a']);
    else if (r.error) rows.push([tool.name, tool.version(), r.error, '–']);
    else rows.push([tool.name, tool.version(), String(r.restarts), r.lastServedMs === null ? 'no restart' : r.lastServedMs.toFixed(0)]);
    log(`${tool.name}: ${rows.at(-1).slice(2).join(' / ')}`);
  }
  return [
    `${FILES} JSON files written in one synchronous loop next to the app (imported by nothing). Restarts are counted by the app's own start log, kept outside the project, until it has been quiet for ${QUIET_MS / 1000} s. Ideal: 1.`,
    '',
    table(['tool', 'version', 'restarts', 'last restart served after ms'], rows),
  ].join('\n');
}
