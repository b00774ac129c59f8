// Scenario 10: a generated monorepo of 50 packages (5 libraries, 45 services that each depend on one
// library), 20,000 source files in all, plus a 50,000-file node_modules. hot runs every service from
// the root with one `hot dev`; the peer is what people do today: one nodemon per service, each also
// watching the library it uses. Measured: launch → all 45 services started, the tools' own RSS after
// 10 s idle and CPU over 20 s idle (apps excluded), and a save in a library → its 9 dependents restarted.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, cpuSeconds, launch, ratioLine, rssMb, shutdown, sleep, startCount, table, tempProject, waitFor } from '../lib/harness.mjs';
import { CLI } from '../lib/tools.mjs';
import { writeNodeModules, writeSourceFiles } from '../lib/trees.mjs';

export const title = 'Monorepo: 50 packages, 20,000 source files, a 50,000-file node_modules';

const LIBRARIES = 5;
const SERVICES = 45;
const DIRS_PER_PACKAGE = 20;
const FILES_PER_DIR = 20; // 50 packages × 20 × 20 = 20,000 source files
const READY_DEADLINE_MS = 120_000;
const IDLE_HALF_MS = 10_000;

const APP = `// A service: records each start, then idles.
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.START_LOG, \`\${process.env.SERVICE ?? 'service'} \${process.pid}\\n\`);
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
`;

const libraryName = (l) => `lib${l}`;
const serviceName = (s) => `svc${String(s).padStart(2, '0')}`;
const libraryOf = (s) => libraryName(s % LIBRARIES);

function generateMonorepo(root) {
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['packages/*'] }));
  let sources = 0;
  const names = [];
  for (let l = 0; l < LIBRARIES; l++) {
    const dir = path.join(root, 'packages', libraryName(l));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: libraryName(l), type: 'module' }));
    sources += writeSourceFiles(path.join(dir, 'src'), DIRS_PER_PACKAGE, FILES_PER_DIR, sources);
    names.push(libraryName(l));
  }
  for (let s = 0; s < SERVICES; s++) {
    const dir = path.join(root, 'packages', serviceName(s));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: serviceName(s), type: 'module', dependencies: { [libraryOf(s)]: '*' } }));
    writeFileSync(path.join(dir, 'app.mjs'), APP);
    writeFileSync(path.join(dir, '.hotrc.toml'), `bin = "node app.mjs"\n[run.env]\nSERVICE = "${serviceName(s)}"\n`);
    sources += writeSourceFiles(path.join(dir, 'src'), DIRS_PER_PACKAGE, FILES_PER_DIR, sources);
    names.push(serviceName(s));
  }
  const modules = writeNodeModules(root, 500, 100);
  // What `npm install` links for a workspace.
  for (const name of names) symlinkSync(path.join('..', 'packages', name), path.join(root, 'node_modules', name));
  return { sources, modules };
}

/** hot: one process at the root. */
function startHot(root, env) {
  const hot = launch(process.execPath, [CLI, 'dev', '--quiet'], { cwd: root, env });
  return { pids: () => [hot.child.pid], stop: () => shutdown(hot) };
}

/** One nodemon per service, watching the service and the library it depends on. */
function startNodemons(root, env) {
  const running = [];
  for (let s = 0; s < SERVICES; s++) {
    const cwd = path.join(root, 'packages', serviceName(s));
    running.push(launch(path.join(BIN, 'nodemon'), ['--quiet', '--watch', '.', '--watch', `../${libraryOf(s)}`, 'app.mjs'], { cwd, env: { ...env, SERVICE: serviceName(s) } }));
  }
  return { pids: () => running.map((tool) => tool.child.pid), stop: () => Promise.all(running.map((tool) => shutdown(tool))) };
}

const sum = (values) => values.reduce((total, value) => total + value, 0);

async function measure(name, start, root, log) {
  const startLog = path.join(root, `starts-${name.split(' ')[0]}.log`);
  const launchedAt = performance.now();
  const tool = start(root, { START_LOG: startLog });
  try {
    const started = await waitFor(() => startCount(startLog) >= SERVICES, READY_DEADLINE_MS);
    if (!started) return [name, `not ready in ${READY_DEADLINE_MS / 1000} s`, '–', '–', '–', '–', '–', '–'];
    const readyMs = performance.now() - launchedAt;
    const cpuAtReady = sum(tool.pids().map(cpuSeconds));
    await sleep(IDLE_HALF_MS);
    const rss = sum(tool.pids().map(rssMb));
    const cpuAtHalf = sum(tool.pids().map(cpuSeconds));
    await sleep(IDLE_HALF_MS);
    const cpuAtEnd = sum(tool.pids().map(cpuSeconds));
    const [cpuIdle, cpuLate] = [cpuAtEnd - cpuAtReady, cpuAtEnd - cpuAtHalf];
    // A save in lib0 must restart its 9 dependents; the library's own files are watched by both tools.
    const before = startCount(startLog);
    const savedAt = performance.now();
    writeFileSync(path.join(root, 'packages', 'lib0', 'src', 'd0', 'm0.js'), 'export const value0 = 1;\n');
    const dependents = SERVICES / LIBRARIES;
    const restarted = await waitFor(() => startCount(startLog) >= before + dependents, 30_000);
    const restartMs = restarted ? (performance.now() - savedAt).toFixed(0) : 'not within 30 s';
    const row = [name, readyMs.toFixed(0), String(tool.pids().length), rss.toFixed(0), cpuAtReady.toFixed(2), cpuIdle.toFixed(2), cpuLate.toFixed(2), restartMs];
    log(`${name}: ready ${row[1]} ms, ${row[2]} processes, RSS ${row[3]} MB, CPU ${row[4]} s to ready, ${row[5]} s over 20 s idle (${row[6]} s in the last 10 s), library save → dependents ${row[7]} ms`);
    return row;
  } finally {
    await tool.stop();
  }
}

export async function run({ tools, log }) {
  const project = tempProject({});
  const root = project.dir;
  const rows = [];
  try {
    const began = performance.now();
    const { sources, modules } = generateMonorepo(root);
    log(`generated ${sources} source files in 50 packages and ${modules} node_modules files in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    const names = tools.map((tool) => tool.name);
    if (names.includes('hot')) rows.push(await measure('hot (one process)', startHot, root, log));
    if (names.includes('nodemon')) rows.push(await measure(`nodemon ×${SERVICES} (one per service)`, startNodemons, root, log));
  } finally {
    project.remove();
  }
  return [
    `${SERVICES} services and ${LIBRARIES} libraries; each service depends on one library (declared in its package.json) and runs a tiny idle program. hot runs them all with one \`hot dev\` at the root (one watcher for the repository); nodemon runs once per service with \`--watch . --watch ../libN\`. RSS and CPU are the tools' own processes summed, not the apps. hot's watcher is still walking the tree when the services are up, so its first 10 s of "idle" include that scan. The last column saves one file in lib0 and waits for its 9 dependent services to start again.`,
    '',
    table(['setup', 'launch → 45 services started (ms)', 'tool processes', 'tool RSS after 10 s (MB)', 'tool CPU s until ready', 'tool CPU s over 20 s idle', 'of which last 10 s', 'library save → 9 dependents restarted (ms)'], rows),
    '',
    ratioLine(rows, 1, 'Time to ready'),
    '',
    ratioLine(rows, 3, 'RSS'),
  ].join('\n');
}
