// Scenario 6: stubborn child. An HTTP server that ignores SIGTERM: the time from an edit of its
// VERSION until the new version is served, capped at 15 s. A tool that only sends SIGTERM and waits
// never gets there; one that escalates to SIGKILL gets there after its kill timeout.
import { freePort, sleep, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';

export const title = 'Stubborn child: an app that ignores SIGTERM';

const EDITS = 2;
const CAP_MS = 15_000;

const appText = (version) => `// An HTTP server that ignores SIGTERM, as a badly behaved server does: only SIGKILL stops it.
import { createServer } from 'node:http';

const VERSION = '${version}';
const port = Number(process.env.PORT ?? 3000);

const server = createServer((request, response) => {
  response.end(\`\${VERSION} \${process.pid}\\n\`);
});
server.listen(port, '127.0.0.1', () => {
  console.log(\`ready \${VERSION} on \${server.address().port} pid \${process.pid}\`);
});
process.on('SIGTERM', () => console.log(\`ignoring SIGTERM (pid \${process.pid})\`));
`;

const served = (version) => (body) => body.startsWith(`${version} `);

export async function run({ tools, log }) {
  const rows = [];
  for (const tool of tools) {
    const name = `${tool.name} ${tool.version()}`;
    const port = await freePort();
    const project = tempProject({ 'app.mjs': { text: appText('v1') } });
    const ctx = { dir: project.dir, entry: 'app.mjs', lang: 'js', env: { PORT: String(port) }, shell: false };
    try {
      const times = await withTool(tool, ctx, async () => {
        if ((await timeUntil(port, served('v1'), CAP_MS)) === null) {
          log(`${tool.name}: v1 was never served`);
          return 'never';
        }
        await sleep(300);
        const result = [];
        for (let edit = 1; edit <= EDITS; edit++) {
          const version = `v${edit + 1}`;
          project.write('app.mjs', appText(version));
          result.push(await timeUntil(port, served(version), CAP_MS));
          // A tool that never restarted once will not the second time: skip the wait.
          if (result.at(-1) === null) break;
          await sleep(300);
        }
        return result;
      });
      if (times === null || times === 'never') {
        rows.push([name, ...Array.from({ length: EDITS }, () => (times === null ? 'n/a' : `v1 not served in ${CAP_MS / 1000} s`))]);
        continue;
      }
      const cells = times.map((ms) => (ms === null ? `> ${CAP_MS / 1000} s` : `${(ms / 1000).toFixed(2)} s`));
      while (cells.length < EDITS) cells.push('(skipped)');
      log(`${tool.name}: ${cells.join(', ')}`);
      rows.push([name, ...cells]);
    } finally {
      project.remove();
    }
  }
  return [
    `An HTTP server that ignores SIGTERM. Time from an edit of its VERSION until the new version is served (fresh connection every ~2 ms), capped at ${CAP_MS / 1000} s; ${EDITS} edits per tool. Every tool runs \`node app.mjs\` listening on PORT itself (hot without its proxy). hot holds the port the server listens on (no config) and starts the new version beside the old one, which it stops with SIGTERM, then SIGKILL after its kill_timeout (3 s by default, \`--kill-timeout\`): the new version answers without waiting for the old one to go.`,
    '',
    table(['tool', ...Array.from({ length: EDITS }, (_, index) => `edit ${index + 1} → served`)], rows),
  ].join('\n');
}
