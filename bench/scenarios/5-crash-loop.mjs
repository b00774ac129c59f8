// Scenario 5: crash loop. An app that exits 1 at once, left alone for 10 s: how many times the tool
// starts it, and the CPU seconds the tool's own main process spends meanwhile. The app records each
// start in a log file outside the watched project (START_LOG), so counting never triggers a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, isAlive, sleep, startCount, table, tempProject, waitFor, withTool } from '../lib/harness.mjs';

export const title = 'Crash loop: an app that exits 1 at once';

const WINDOW_MS = 10_000;

const APP = `// Fails at once, like a server with a bad import or a missing environment variable.
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.START_LOG, \`\${process.pid}\\n\`);
process.exit(1);
`;

export async function run({ tools, log }) {
  const rows = [];
  for (const tool of tools) {
    const name = `${tool.name} ${tool.version()}`;
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-log-'));
    const startLog = path.join(logDir, 'starts.log');
    const project = tempProject({ 'app.mjs': { text: APP } });
    const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: { START_LOG: startLog }, shell: false };
    try {
      const result = await withTool(tool, ctx, async (running) => {
        const pid = running.child.pid;
        // The window opens at the first start, so the tool's own boot is not counted.
        if (!(await waitFor(() => startCount(startLog) >= 1, 15_000))) return { starts: 0, cpu: Number.NaN, alive: isAlive(pid), never: true };
        const cpuBefore = cpuSeconds(pid);
        await sleep(WINDOW_MS);
        const cpuAfter = cpuSeconds(pid);
        return { starts: startCount(startLog), cpu: cpuAfter - cpuBefore, alive: isAlive(pid), bootCpu: cpuBefore };
      });
      if (!result) {
        rows.push([name, 'n/a', 'n/a', 'n/a']);
        continue;
      }
      log(`${tool.name}: ${result.starts} starts, ${result.cpu.toFixed(2)} CPU s in the window (+${result.bootCpu?.toFixed(2) ?? '?'} s before the first start), tool ${result.alive ? 'still running' : 'exited'}`);
      if (result.never) {
        rows.push([name, '0 (never started in 15 s)', '–', result.alive ? 'yes' : 'no']);
        continue;
      }
      rows.push([name, String(result.starts), Number.isNaN(result.cpu) ? '– (tool exited)' : result.cpu.toFixed(2), result.alive ? 'yes' : 'no']);
    } finally {
      project.remove();
      rmSync(logDir, { recursive: true, force: true });
    }
  }
  return [
    `An app that exits 1 at once, with no edits, for ${WINDOW_MS / 1000} s from its first start: how many times it was started (counted by lines the app appends to a log outside the project), and the CPU seconds (user + system) of the tool's main process only (not its children, nor its boot before the first start) over those ${WINDOW_MS / 1000} s. 1 start means the tool waits for the next change; more means it retries on its own (hot by design: a backoff from 100 ms, and after 5 crashes within 30 s it stops until the next change). Either way no tool should loop hot or burn CPU on a broken app.`,
    '',
    table(['tool', `starts in ${WINDOW_MS / 1000} s`, 'tool main-process CPU s', 'tool still running'], rows),
  ].join('\n');
}
