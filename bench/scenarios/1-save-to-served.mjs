// Save -> served: rewrite the VERSION constant, poll the port every ~2 ms with fresh connections,
// and time until the new version is served. JS and TS variants of a small HTTP server.
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { launch, freePort, REPO, shutdown, spread, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';

export const title = 'Save → served latency';
const EDITS = 15;
/** Between one edit being served and the next save: a person reads the answer before saving again. */
const PAUSE_MS = 1000;

/** The TypeScript server (three files of the esbuild-basic fixture); scenario 12 starts it too. */
export const TS_SERVER_FILES = {
  'src/server.ts': { from: 'fixtures/projects/esbuild-basic/src/server.ts' },
  'src/greeting.ts': { from: 'fixtures/projects/esbuild-basic/src/greeting.ts' },
  'src/version.ts': { from: 'fixtures/projects/esbuild-basic/src/version.ts' },
};

const VARIANTS = [
  {
    lang: 'js',
    entry: 'app.mjs',
    files: { 'app.mjs': { from: 'fixtures/apps/http-server.mjs' } },
    versionFile: 'app.mjs',
    versionLine: (v) => `const VERSION = '${v}';`,
    pattern: /const VERSION = '[^']*';/,
    served: (body, v) => body.startsWith(`${v} `),
  },
  {
    lang: 'ts',
    entry: 'src/server.ts',
    files: TS_SERVER_FILES,
    versionFile: 'src/version.ts',
    versionLine: (v) => `export const VERSION: string = '${v}';`,
    pattern: /export const VERSION: string = '[^']*';/,
    served: (body, v) => body.includes(`"version":"${v}"`),
  },
];

async function measure(tool, variant) {
  const project = tempProject(variant.files);
  // A TypeScript project has its tools installed (ts-node-dev loads typescript from the project).
  if (variant.lang === 'ts') symlinkSync(path.join(REPO, 'node_modules'), project.path('node_modules'), 'dir');
  try {
    const port = await freePort();
    const ctx = { dir: project.dir, entry: variant.entry, lang: variant.lang, env: { PORT: String(port) } };
    return await withTool(tool, ctx, async () => {
      if ((await timeUntil(port, (body) => variant.served(body, 'v1'))) === null) return { error: 'never served' };
      const samples = [];
      for (let i = 2; i <= EDITS + 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        const startedAt = performance.now();
        project.write(variant.versionFile, project.read(variant.versionFile).replace(variant.pattern, variant.versionLine(`v${i}`)));
        const took = await timeUntil(port, (body) => variant.served(body, `v${i}`), 10_000);
        if (took === null) return { error: `edit ${i - 1} never served`, samples };
        samples.push(performance.now() - startedAt);
      }
      return { samples };
    });
  } finally {
    project.remove();
  }
}

/** The physical limit of a plain restart: spawning the server until its first response. */
async function floor() {
  const project = tempProject({ 'app.mjs': { from: 'fixtures/apps/http-server.mjs' } });
  const samples = [];
  try {
    for (let i = 0; i < EDITS; i++) {
      const port = await freePort();
      const startedAt = performance.now();
      const server = launch(process.execPath, ['app.mjs'], { cwd: project.dir, env: { PORT: String(port) } });
      await timeUntil(port, (body) => body.startsWith('v1 '));
      samples.push(performance.now() - startedAt);
      await shutdown(server);
    }
  } finally {
    project.remove();
  }
  return samples;
}

export async function run({ tools, log }) {
  const rows = [];
  const p50s = {};
  for (const variant of VARIANTS) {
    for (const tool of tools) {
      const result = await measure(tool, variant);
      const label = `${variant.lang.toUpperCase()}`;
      if (!result) rows.push([label, tool.name, tool.version(), 'n/a', 'n/a', 'n/a', 'n/a']);
      else if (result.error) rows.push([label, tool.name, tool.version(), String(result.samples?.length ?? 0), result.error, '', '']);
      else {
        const [min, p50, p90] = spread(result.samples);
        p50s[`${variant.lang} ${tool.name}`] = Number(p50);
        rows.push([label, tool.name, tool.version(), String(result.samples.length), min, p50, p90]);
      }
      log(`${variant.lang} ${tool.name}: ${rows.at(-1).slice(3).join(' / ')}`);
    }
  }
  const floorSamples = await floor();
  const [min, p50, p90] = spread(floorSamples);
  rows.push(['JS', 'floor: `node app.mjs` spawn → first response', process.version, String(floorSamples.length), min, p50, p90]);
  const ratios = Object.entries(p50s)
    .filter(([key]) => !key.endsWith(' hot'))
    .map(([key, value]) => {
      const hot = p50s[`${key.split(' ')[0]} hot`];
      return hot ? `${key}: ${(hot / value).toFixed(2)}` : null;
    })
    .filter(Boolean);
  return [
    `${EDITS} edits per tool, ${PAUSE_MS / 1000} s apart (after the previous one was served); each edit is timed from the write until a fresh connection gets the new version. hot runs \`hot -- node app.mjs\` (JS) and \`hot src/server.ts\` (TS: esbuild as the gate, the entry run in place under tsx), with its default 10 ms debounce; with no config hot holds the app's listening socket, so each restart starts the new version beside the old, and wakes the warm standby it started after the previous restart.`,
    '',
    table(['lang', 'tool', 'version', 'edits', 'min ms', 'p50 ms', 'p90 ms'], rows),
    '',
    `hot p50 / peer p50: ${ratios.join(' · ') || '–'}`,
  ].join('\n');
}
