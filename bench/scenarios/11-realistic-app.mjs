// Save -> served on a realistic app: an Express 5 + TypeScript API with eleven popular dependencies
// (pino, zod, helmet, swagger-ui-express, …) and tsconfig paths, installed from the npm registry
// into a temp copy of fixtures/projects/realistic-api. Edits are 1 s apart, as a person saves.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, launch, REPO, shutdown, spread, table, timeUntil, withTool } from '../lib/harness.mjs';

export const title = 'Save → served on a realistic app';
const EDITS = 10;
const PAUSE_MS = 1000;
const VERSION_FILE = 'src/lib/version.ts';
const TSX_LOADER = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const served = (body, version) => body.includes(`"version":"${version}"`);

function installedCopy() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-real-'));
  cpSync(path.join(REPO, 'fixtures', 'projects', 'realistic-api'), dir, { recursive: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function setVersion(dir, version) {
  const file = path.join(dir, VERSION_FILE);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/'[^']*'/, `'${version}'`));
}

async function measure(tool, dir) {
  setVersion(dir, 'v1');
  const port = await freePort();
  const ctx = { dir, entry: 'src/server.ts', lang: 'ts', env: { PORT: String(port) } };
  return withTool(tool, ctx, async () => {
    if ((await timeUntil(port, (body) => served(body, 'v1'), 30_000)) === null) return { error: 'never served' };
    const samples = [];
    for (let i = 2; i <= EDITS + 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      const startedAt = performance.now();
      setVersion(dir, `v${i}`);
      if ((await timeUntil(port, (body) => served(body, `v${i}`), 10_000)) === null) return { error: `edit ${i - 1} never served`, samples };
      samples.push(performance.now() - startedAt);
    }
    return { samples };
  });
}

/** A cold start of the same app: node with the TypeScript loader, spawned until its first answer. */
async function floor(dir) {
  setVersion(dir, 'v1');
  const samples = [];
  for (let i = 0; i < EDITS; i++) {
    const port = await freePort();
    const startedAt = performance.now();
    const server = launch(process.execPath, ['--import', TSX_LOADER, 'src/server.ts'], { cwd: dir, env: { PORT: String(port) } });
    await timeUntil(port, (body) => served(body, 'v1'), 30_000);
    samples.push(performance.now() - startedAt);
    await shutdown(server);
  }
  return samples;
}

export async function run({ tools, log }) {
  let dir;
  try {
    dir = installedCopy();
  } catch (error) {
    return `Skipped: \`npm install\` of fixtures/projects/realistic-api failed (${error.message.split('\n')[0]}); this scenario needs the npm registry.`;
  }
  try {
    const rows = [];
    const p50s = {};
    for (const tool of tools) {
      const result = await measure(tool, dir);
      if (!result) rows.push([tool.name, tool.version(), 'n/a', 'n/a', 'n/a', 'n/a']);
      else if (result.error) rows.push([tool.name, tool.version(), String(result.samples?.length ?? 0), result.error, '', '']);
      else {
        const [min, p50, p90] = spread(result.samples);
        p50s[tool.name] = Number(p50);
        rows.push([tool.name, tool.version(), String(result.samples.length), min, p50, p90]);
      }
      log(`${tool.name}: ${rows.at(-1).slice(2).join(' / ')}`);
    }
    const floorSamples = await floor(dir);
    const [min, p50, p90] = spread(floorSamples);
    rows.push(['floor: node + TypeScript loader, spawn → first response', process.version, String(floorSamples.length), min, p50, p90]);
    const hot = p50s.hot;
    const ratios = Object.entries(p50s)
      .filter(([name]) => name !== 'hot')
      .map(([name, value]) => `${name}: ${(hot / value).toFixed(2)}`);
    return [
      `${EDITS} edits per tool, ${PAUSE_MS / 1000} s apart, to \`${VERSION_FILE}\` of fixtures/projects/realistic-api (Express 5, pino, pino-http, zod, helmet, cors, compression, swagger-ui-express, dotenv, express-rate-limit, uuid; TypeScript with \`paths\`), installed from the npm registry into a temp dir. Each edit is timed from the write until a fresh connection gets the new version. hot runs \`hot src/server.ts\` with no config (held socket, warm standby, type check beside).`,
      '',
      table(['tool', 'version', 'edits', 'min ms', 'p50 ms', 'p90 ms'], rows),
      '',
      `hot p50 / cold floor p50: ${hot ? (hot / Number(p50)).toFixed(2) : '–'} · hot p50 / peer p50: ${ratios.join(' · ') || '–'}`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
