// Scenario 8: rebuild cost. A 500-module TypeScript project (src/server.ts imports src/mods/m0..m499.ts
// and answers with VERSION from src/version.ts). Save → served over 5 edits of VERSION for hot with its
// built-in esbuild bundle, hot with `tsc -p .` as its build command, and tsx watch (plus nodemon with
// the tsx loader and ts-node-dev, through their entries in the tool table).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, launch, ratioLine, REPO, sleep, spread, table, tempProject, timeUntil, withTool } from '../lib/harness.mjs';

export const title = 'Rebuild cost: a 500-module TypeScript project, esbuild vs tsc vs tsx';

const MODULES = 500;
const EDITS = 5;
const FIRST_RESPONSE_DEADLINE_MS = 10_000; // 3× the slowest start seen; the tsc row gets twice that
const EDIT_DEADLINE_MS = 15_000;
const SETTLE_MS = 1000; // after the first response, for watchers to finish their initial scan
const BETWEEN_EDITS_MS = 300;
const CLI = path.join(REPO, 'dist', 'cli', 'main.cjs');
const TSC = path.join(REPO, 'node_modules', '.bin', 'tsc');

const typescriptVersion = () => {
  try {
    return JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
};

const versionSource = (version) => `export const VERSION: string = '${version}';\n`;

/** The project, in a fresh temp dir. No node_modules: the few Node APIs the server uses are declared. */
function makeProject() {
  const project = tempProject({
    'package.json': { text: `${JSON.stringify({ name: 'bench-500-modules', private: true, type: 'module' }, null, 2)}\n` },
    'tsconfig.json': {
      text: `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            rootDir: 'src',
            outDir: 'dist',
            strict: true,
            types: [],
            skipLibCheck: true,
          },
          include: ['src'],
        },
        null,
        2,
      )}\n`,
    },
  });
  mkdirSync(project.path('src/mods'), { recursive: true });
  project.write(
    'src/env.d.ts',
    [
      '// The parts of Node the server uses, so that tsc needs no @types/node.',
      "declare module 'node:http' {",
      '  interface Response { end(body: string): void }',
      '  interface Server { listen(port: number, host: string): Server }',
      '  export function createServer(handler: (request: unknown, response: Response) => void): Server;',
      '}',
      'declare const process: { env: Record<string, string | undefined>; pid: number };',
      '',
    ].join('\n'),
  );
  project.write('src/version.ts', versionSource('v1'));
  for (let n = 0; n < MODULES; n++) {
    project.write(
      `src/mods/m${n}.ts`,
      [
        `export interface Shape${n} { id: number; label: string }`,
        `export const shape${n}: Shape${n} = { id: ${n}, label: 'm${n}' };`,
        `export function f${n}(x: number): number {`,
        `  return x + shape${n}.id;`,
        '}',
        '',
      ].join('\n'),
    );
  }
  const lines = ["import { createServer } from 'node:http';", "import { VERSION } from './version.js';"];
  for (let n = 0; n < MODULES; n++) lines.push(`import { f${n} } from './mods/m${n}.js';`);
  lines.push('', 'let total: number = 0;');
  for (let n = 0; n < MODULES; n++) lines.push(`total += f${n}(1);`);
  lines.push(
    '',
    'const port: number = Number(process.env.PORT ?? 3000);',
    'createServer((_request, response) => {',
    '  response.end(`${VERSION} ${total} ${process.pid}\\n`);',
    "}).listen(port, '127.0.0.1');",
    '',
  );
  project.write('src/server.ts', lines.join('\n'));
  return project;
}

/** hot with `tsc -p .` as its build command: a pseudo tool entry, launched like the others. */
const hotWithTsc = {
  start(ctx) {
    writeFileSync(
      path.join(ctx.dir, '.hotrc.toml'),
      [
        'include = ["src/**/*.ts"]',
        'bin = "node dist/server.js"',
        '',
        '[build]',
        `cmd = ${JSON.stringify(`${TSC} -p .`)}`,
        'output = "dist"',
        '',
      ].join('\n'),
    );
    return launch(process.execPath, [CLI, '--quiet'], { cwd: ctx.dir, env: ctx.env });
  },
};

/** One row: launch, first response, then EDITS edits of VERSION, each timed until served. */
async function measure(tool, log, label, firstDeadlineMs) {
  const project = makeProject();
  try {
    const port = await freePort();
    const ctx = { dir: project.dir, entry: 'src/server.ts', lang: 'ts', env: { PORT: String(port) } };
    const launchedAt = performance.now();
    return await withTool(tool, ctx, async () => {
      const waited = await timeUntil(port, (body) => body.startsWith('v1 '), firstDeadlineMs);
      if (waited === null) return { firstMs: null, times: [], missed: 0 };
      const firstMs = performance.now() - launchedAt;
      await sleep(SETTLE_MS);
      const times = [];
      let missed = 0;
      for (let edit = 2; edit < EDITS + 2; edit++) {
        const version = `v${edit}`;
        const savedAt = performance.now();
        project.write('src/version.ts', versionSource(version));
        const served = await timeUntil(port, (body) => body.startsWith(`${version} `), EDIT_DEADLINE_MS);
        if (served === null) {
          missed++;
          log(`${label}: ${version} not served within ${EDIT_DEADLINE_MS / 1000} s; stopping this row`);
          break;
        }
        times.push(performance.now() - savedAt);
        await sleep(BETWEEN_EDITS_MS);
      }
      return { firstMs, times, missed };
    });
  } finally {
    project.remove();
  }
}

export async function run({ tools, log }) {
  const byName = (name) => tools.find((tool) => tool.name === name);
  const hot = byName('hot');
  const rows = [];
  const plan = [
    hot && { label: `hot ${hot.version()}, esbuild build`, tool: hot },
    hot && { label: `hot ${hot.version()}, tsc ${typescriptVersion()} build`, tool: hotWithTsc, firstDeadlineMs: 2 * FIRST_RESPONSE_DEADLINE_MS },
    ...['tsx watch', 'nodemon', 'ts-node-dev'].map((name) => {
      const tool = byName(name);
      return tool && { label: `${tool.name} ${tool.version()}`, tool };
    }),
  ].filter(Boolean);

  const notes = [];
  for (const { label, tool, firstDeadlineMs = FIRST_RESPONSE_DEADLINE_MS } of plan) {
    const result = await measure(tool, log, label, firstDeadlineMs);
    if (result === null) {
      rows.push([label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
      log(`${label}: n/a`);
      continue;
    }
    if (result.firstMs === null) {
      rows.push([label, `no response in ${firstDeadlineMs / 1000} s`, '–', '–', '–', '–']);
      log(`${label}: no response within ${firstDeadlineMs / 1000} s`);
      if (tool.name === 'ts-node-dev') {
        notes.push('ts-node-dev loads TypeScript through CommonJS require hooks and stops at `Must use import to load ES Module` on this `"type": "module"` project.');
      }
      continue;
    }
    const served = `${result.times.length} of ${EDITS}`;
    const row = [label, result.firstMs.toFixed(0), ...spread(result.times), served];
    rows.push(row);
    log(`${label}: first response ${row[1]} ms; save → served min/p50/p90 ${row.slice(2, 5).join('/')} ms (${served} served)`);
  }

  return [
    `${MODULES} modules of typed TypeScript imported by \`src/server.ts\`; ${EDITS} edits of \`src/version.ts\`, each timed from the write until the new VERSION is served (polling with fresh connections). hot's tsc row runs a full \`tsc -p .\` (type-checking all ${MODULES + 2} files, no \`incremental\`) and then \`node dist/server.js\`; nodemon runs the app with the tsx loader.${notes.length ? ` ${notes.join(' ')}` : ''}`,
    '',
    table(['tool', 'launch → first response (ms)', 'save → served min (ms)', 'p50 (ms)', 'p90 (ms)', 'edits served'], rows),
    '',
    ratioLine(rows, 3, 'Save → served p50 (hot with esbuild as the reference)'),
  ].join('\n');
}
