// Scenario 7: a large tree. 20,000 small source files in 2,000 directories (never imported by the
// app) plus a 50,000-file node_modules, generated once into one temp dir and reused for every tool.
// Per tool: launch → first served response, the tool's own RSS after 10 s idle, its CPU seconds until
// the first response and 2 s later (an initial scan still running then counts), over 20 s idle, and
// whether an edit made after the idle time is served.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds, freePort, ratioLine, rssMb, sleep, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';
import { writeNodeModules, writeSourceFiles } from '../lib/trees.mjs';

export const title = 'Large tree: 20,000 source files in 2,000 directories plus a 50,000-file node_modules';

const GROUPS = 40; // src/gNN/dNN: 40 × 50 = 2,000 leaf directories
const DIRS_PER_GROUP = 50;
const FILES_PER_DIR = 10; // 2,000 × 10 = 20,000 source files, half .js, half .ts
const PACKAGES = 500; // node_modules/pkg-NNN: 500 × 100 = 50,000 files
const FILES_PER_PACKAGE = 100; // package.json + index.js + 98 files under lib/
const FIRST_RESPONSE_DEADLINE_MS = 30_000;
const IDLE_HALF_MS = 10_000;
const SETTLE_MS = 2_000;
const EDIT_DEADLINE_MS = 10_000;

/** Writes the tree; returns [source files, node_modules files]. */
function generateTree(root) {
  let sources = 0;
  for (let g = 0; g < GROUPS; g++) sources += writeSourceFiles(path.join(root, 'src', `g${g}`), DIRS_PER_GROUP, FILES_PER_DIR, sources);
  return [sources, writeNodeModules(root, PACKAGES, FILES_PER_PACKAGE)];
}

/** As in scenario 12: a certificate bundle named here would add ~0.1 s of CPU to every Node start; emptied for every tool. */
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '' } : {};

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

export async function run({ tools, log }) {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/http-server.mjs' } });
  const rows = [];
  try {
    const began = performance.now();
    const [sources, modules] = generateTree(project.dir);
    log(`generated ${sources} source files and ${modules} node_modules files in ${((performance.now() - began) / 1000).toFixed(1)} s`);

    // hot also with its [serve] proxy in front (--port), and with polling (HOT_POLL=1), to show what polling costs on a tree this size.
    const runs = tools.flatMap((tool) => (tool.name === 'hot' ? [{ tool, mode: '' }, { tool, mode: 'serve' }, { tool, mode: 'polling' }] : [{ tool, mode: '' }]));
    const source = readFileSync(path.join(project.dir, 'app.mjs'), 'utf8');
    for (const { tool, mode } of runs) {
      const name = `${tool.name} ${tool.version()}${mode === 'serve' ? ', [serve]' : mode === 'polling' ? ', polling' : ''}`;
      writeFileSync(path.join(project.dir, 'app.mjs'), source);
      const port = await freePort();
      const serve = mode === 'serve' ? { port: await freePort() } : undefined;
      const answerPort = serve ? serve.port : port;
      const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: { ...EXTRA_CA, PORT: String(port), ...(mode === 'polling' ? { HOT_POLL: '1' } : {}) }, ...(serve ? { serve } : {}) };
      const launchedAt = performance.now();
      const result = await withTool(tool, ctx, async (running) => {
        const waited = await timeUntil(answerPort, (body) => body.startsWith('v1 '), FIRST_RESPONSE_DEADLINE_MS);
        if (waited === null) return { firstMs: null };
        const firstMs = performance.now() - launchedAt;
        const pid = running.child.pid;
        const cpuAtFirst = cpuSeconds(pid);
        await sleep(SETTLE_MS);
        const cpuSettled = cpuSeconds(pid);
        await sleep(IDLE_HALF_MS - SETTLE_MS);
        const rss = rssMb(pid);
        const cpuAtHalf = cpuSeconds(pid);
        await sleep(IDLE_HALF_MS);
        const cpuAtEnd = cpuSeconds(pid);
        // After 20 s of idle, one edit: it must still be served.
        writeFileSync(path.join(project.dir, 'app.mjs'), source.replace("const VERSION = 'v1'", "const VERSION = 'v2'"));
        const edited = (await timeUntil(answerPort, (body) => body.startsWith('v2 '), EDIT_DEADLINE_MS)) !== null;
        return { firstMs, rss, cpuStart: cpuAtFirst, cpuSettled, cpuIdle: cpuAtEnd - cpuAtFirst, cpuLate: cpuAtEnd - cpuAtHalf, edited };
      });
      if (result === null) {
        rows.push([name, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
        log(`${tool.name}: n/a`);
      } else if (result.firstMs === null) {
        rows.push([name, `no response in ${FIRST_RESPONSE_DEADLINE_MS / 1000} s`, '–', '–', '–', '–', '–', '–']);
        log(`${tool.name}: no response within ${FIRST_RESPONSE_DEADLINE_MS / 1000} s`);
      } else {
        const row = [name, result.firstMs.toFixed(0), fixed(result.rss, 0), fixed(result.cpuStart, 2), fixed(result.cpuSettled, 2), fixed(result.cpuIdle, 2), fixed(result.cpuLate, 2), result.edited ? 'yes' : 'NO'];
        rows.push(row);
        log(`${name}: first response ${row[1]} ms, RSS ${row[2]} MB, CPU ${row[3]} s to first response (${row[4]} s 2 s later), ${row[5]} s over 20 s idle (${row[6]} s in the last 10 s), edit after idle served: ${row[7]}`);
      }
    }
  } finally {
    project.remove();
  }

  return [
    `The app (\`app.mjs\`, a plain HTTP server) imports none of the tree. hot watches the directory with its native watcher (@parcel/watcher: one inotify watch per directory; node_modules skipped), and with chokidar when polling; nodemon uses chokidar (skipping node_modules); \`node --watch\` and \`tsx watch\` watch only the import graph; ts-node-dev watches the files it compiled. "hot, [serve]" answers through hot's proxy. "Idle" starts at the first served response, so a scan still running then counts; RSS and CPU are the tool's own process, not the app. After the idle time, app.mjs is edited once: "edit served" says whether the new version answered.${EXTRA_CA.NODE_EXTRA_CA_CERTS === undefined ? '' : ' NODE_EXTRA_CA_CERTS, set on this machine, is emptied for every tool (as in scenario 12).'}`,
    '',
    table(['tool', 'launch → first response (ms)', 'tool RSS after 10 s (MB)', 'tool CPU s until first response', 'same, 2 s later', 'tool CPU s over 20 s idle', 'of which last 10 s', 'edit after idle served'], rows),
    '',
    ratioLine(rows, 1, 'First response'),
    '',
    ratioLine(rows, 2, 'RSS'),
  ].join('\n');
}
