// Scenario 4: orphans. The app runs behind `sh -c "node app.mjs"`, the way many package.json
// scripts run it. Counts the live app processes after 5 restarts (ideal 1), after SIGINT to the tool
// (ideal 0) and 2 s after SIGKILL to the tool (ideal 0). App processes are found by a unique marker in
// their environment (APP_MARKER), never by name; of those, only `node app.mjs` counts as the app,
// and shells (`sh -c …`) left behind are counted apart.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidsWithEnv, sleep, startCount, table, tempProject, waitFor, within, withTool } from '../lib/harness.mjs';

export const title = 'Orphans: app processes left behind (app behind sh -c)';

const RESTARTS = 5;

// Records each start in START_LOG (outside the watched project), then stays alive like a server.
const appText = (version) => `// ${version}
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.START_LOG, \`\${process.pid}\\n\`);
setInterval(() => {}, 1000);
`;

const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
};

/** Live processes with the app marker, split into the node app itself and shells; the tool is left out. */
function appProcesses(marker, toolPid) {
  const result = { node: [], shell: [] };
  for (const pid of pidsWithEnv('APP_MARKER', marker)) {
    if (pid === toolPid) continue;
    const argv = cmdline(pid);
    if (!argv || argv.length === 0) continue;
    const program = path.basename(argv[0]);
    if (program.startsWith('node') && argv[1] && path.basename(argv[1]) === 'app.mjs') result.node.push(pid);
    else if (/^(ba|da)?sh$/.test(program) && argv.join(' ').includes('app.mjs')) result.shell.push(pid);
  }
  return result;
}

const killAll = (marker) => {
  for (const pid of pidsWithEnv('APP_MARKER', marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
};

const show = (counts) => (counts ? `${counts.node.length}${counts.shell.length ? ` (+${counts.shell.length} sh)` : ''}` : 'n/a');

/** One run of the tool: start, `restarts` edits, then `stop(running)`; counts after the restarts and after the stop. */
async function session(tool, restarts, stop, log) {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-log-'));
  const startLog = path.join(logDir, 'starts.log');
  const project = tempProject({ 'app.mjs': { text: appText('v1') } });
  const marker = randomUUID();
  const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: { APP_MARKER: marker, START_LOG: startLog }, shell: true };
  try {
    return await withTool(tool, ctx, async (running) => {
      const toolPid = running.child.pid;
      if (!(await waitFor(() => startCount(startLog) >= 1, 15_000))) log(`${tool.name}: the app never started`);
      await sleep(300);
      let missed = 0;
      for (let edit = 1; edit <= restarts; edit++) {
        project.write('app.mjs', appText(`v${edit + 1}`));
        if (!(await waitFor(() => startCount(startLog) >= edit + 1, 10_000))) missed++;
        await sleep(300); // Let the tool settle, so that edits are not merged into one restart.
      }
      if (missed) log(`${tool.name}: ${missed} of ${restarts} edits gave no new start`);
      // Give an exiting app a bounded moment to go.
      await waitFor(() => appProcesses(marker, toolPid).node.length <= 1, 3000);
      const afterRestarts = appProcesses(marker, toolPid);
      const afterStop = await stop(running, () => appProcesses(marker, toolPid));
      return { afterRestarts, afterStop, starts: startCount(startLog) };
    });
  } finally {
    killAll(marker);
    project.remove();
    rmSync(logDir, { recursive: true, force: true });
  }
}

// SIGINT to the tool's own pid (not its group, as a terminal's Ctrl-C would): what the tool cleans up itself.
async function sigint(running, count) {
  try {
    process.kill(running.child.pid, 'SIGINT');
  } catch {
    // Already gone.
  }
  await within(running.exited, 5000);
  await waitFor(() => count().node.length === 0 && count().shell.length === 0, 2000);
  return count();
}

// SIGKILL to the tool's own pid only; counted 2 s later.
async function sigkill(running, count) {
  try {
    process.kill(running.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await within(running.exited, 2000);
  await sleep(2000);
  return count();
}

export async function run({ tools, log }) {
  const rows = [];
  for (const tool of tools) {
    const name = `${tool.name} ${tool.version()}`;
    const interrupted = await session(tool, RESTARTS, sigint, log);
    if (!interrupted) {
      rows.push([name, 'n/a', 'n/a', 'n/a']);
      continue;
    }
    const killed = await session(tool, 0, sigkill, log);
    log(`${tool.name}: ${interrupted.starts} starts; after restarts ${show(interrupted.afterRestarts)}, after SIGINT ${show(interrupted.afterStop)}, after SIGKILL ${show(killed?.afterStop)}`);
    rows.push([name, show(interrupted.afterRestarts), show(interrupted.afterStop), show(killed?.afterStop)]);
  }
  return [
    `The app runs behind \`sh -c "node app.mjs"\`. Live \`node app.mjs\` processes, found by a unique marker in their environment; "(+N sh)" counts live shells (\`sh -c …\`) with the marker besides: after the restarts, the shell that runs the current app is expected. After ${RESTARTS} restarts (ideal 1); after SIGINT to the tool's own pid, not its group (ideal 0; counted once the tool exited, ≤ 2 s later); 2 s after SIGKILL to the tool's own pid (ideal 0; a fresh run with no restarts). "n/a": the tool cannot run a command through a shell.`,
    '',
    table(['tool', `after ${RESTARTS} restarts`, 'after SIGINT', 'after SIGKILL'], rows),
  ].join('\n');
}
