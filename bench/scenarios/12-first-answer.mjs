// Start -> first answer: launch the tool on a small server (JS and TS, as in scenario 1) and time
// until a fresh connection gets an answer; the tool is stopped and started again for every run.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, launch, REPO, shutdown, spread, table, tempProject, timeUntil } from '../lib/harness.mjs';
import { TS_SERVER_FILES } from './1-save-to-served.mjs';

export const title = 'Start → first answer';
const RUNS = 12;
/**
 * Where NODE_EXTRA_CA_CERTS names a certificate bundle (this machine: the system one), every Node
 * process reads it at start (~100 ms here, node -e 0 140 ms against 40): emptied for every tool, so
 * the numbers are those of a usual machine. Said in the results.
 */
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '' } : {};

const VARIANTS = [
  { lang: 'js', entry: 'app.mjs', files: { 'app.mjs': { from: 'fixtures/apps/http-server.mjs' } }, served: (body) => body.startsWith('v1 ') },
  {
    lang: 'ts',
    entry: 'src/server.ts',
    files: TS_SERVER_FILES,
    served: (body) => body.includes('"version"'),
  },
];

/** One start of `tool`: the ms until the first answer, null when it cannot run here, or an error. */
async function startOnce(tool, variant, project, cacheHome) {
  const port = await freePort();
  const startedAt = performance.now();
  const running = tool.start({ dir: project.dir, entry: variant.entry, lang: variant.lang, env: { PORT: String(port), ...EXTRA_CA, XDG_CACHE_HOME: cacheHome } });
  if (!running) return null;
  try {
    if ((await timeUntil(port, variant.served, 20_000)) === null) return { error: 'never answered' };
    return { ms: performance.now() - startedAt };
  } finally {
    await shutdown(running);
  }
}

/**
 * The tools take turns, one start each per round: a machine whose speed drifts during the scenario
 * (another process, the CPU's clock) moves every tool's numbers alike, not only those of the tools
 * measured while it lasted. A tool that fails once is left out of the next rounds.
 */
async function measureInTurn(tools, variant, project, cacheHome) {
  const results = new Map(tools.map((tool) => [tool, { samples: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const tool of tools) {
      const result = results.get(tool);
      if (result === null || result.error) continue;
      const once = await startOnce(tool, variant, project, cacheHome);
      if (once === null) results.set(tool, null);
      else if (once.error) result.error = once.error;
      else result.samples.push(once.ms);
    }
  }
  return results;
}

/** The floor: node itself, no watcher (`node app.mjs`; the TS variant under tsx's loader). */
const NODE_ALONE = {
  name: 'node alone (no watching)',
  version: () => process.version,
  start: (ctx) => launch(process.execPath, [...(ctx.lang === 'ts' ? ['--import', path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')] : []), ctx.entry], { cwd: ctx.dir, env: ctx.env }),
};

/**
 * hot where it has never run: each start gets an empty per-user cache, so no record of an earlier
 * run lets the launcher start the program early (the `hot` row's first start is such a one too).
 */
function firstRunHere(hot) {
  return {
    name: 'hot, first run here',
    version: hot.version,
    start(ctx) {
      const cache = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-cache-'));
      const running = hot.start({ ...ctx, env: { ...ctx.env, XDG_CACHE_HOME: cache } });
      running?.child?.once('exit', () => rmSync(cache, { recursive: true, force: true }));
      return running;
    },
  };
}

export async function run({ tools, log }) {
  const rows = [];
  const ratios = [];
  const hot = tools.find((tool) => tool.name === 'hot');
  // hot's own cache for this scenario: the first start records, the next ones start early.
  const cache = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-cache-'));
  for (const variant of VARIANTS) {
    const project = tempProject(variant.files);
    if (variant.lang === 'ts') symlinkSync(path.join(REPO, 'node_modules'), project.path('node_modules'), 'dir');
    const p50s = new Map();
    try {
      const inTurn = [...tools, ...(hot ? [firstRunHere(hot)] : []), NODE_ALONE];
      const results = await measureInTurn(inTurn, variant, project, cache);
      for (const tool of inTurn) {
        const result = results.get(tool);
        const label = variant.lang.toUpperCase();
        if (!result) rows.push([label, tool.name, tool.version(), 'n/a', 'n/a', 'n/a', 'n/a']);
        else if (result.error) rows.push([label, tool.name, tool.version(), String(result.samples.length), result.error, '', '']);
        else {
          const [min, p50, p90] = spread(result.samples);
          p50s.set(tool.name, Number(p50));
          rows.push([label, tool.name, tool.version(), String(result.samples.length), min, p50, p90]);
        }
        log(`${variant.lang} ${tool.name}: ${rows.at(-1).slice(3).join(' / ')}`);
      }
    } finally {
      project.remove();
    }
    const hotP50 = p50s.get('hot');
    if (hotP50) ratios.push(...[...p50s].filter(([name]) => name !== 'hot').map(([name, value]) => `${variant.lang} ${name}: ${(hotP50 / value).toFixed(2)}`));
  }
  rmSync(cache, { recursive: true, force: true });
  return [
    `${RUNS} starts per tool, the tools taking turns (one start each per round, so a drift of the machine's speed moves them alike), each timed from launching the tool until a fresh connection gets an answer (polled every ~2 ms), then the tool is stopped. hot runs \`hot -- node app.mjs\` (JS) and \`hot src/server.ts\` (TS: esbuild as the gate, the entry run in place under tsx); node --watch and nodemon run the TS variant under tsx's loader. hot's first start in a project records how it started the program; the next starts there begin with the program started by hot's launcher before hot has loaded (the early start): the \`hot\` row is 1 such first start and ${RUNS - 1} next ones, the \`hot, first run here\` row starts with an empty cache every time.${EXTRA_CA.NODE_EXTRA_CA_CERTS === undefined ? '' : " NODE_EXTRA_CA_CERTS, set on this machine, is emptied for every tool: each Node process would otherwise read the system's certificate bundle at start (~100 ms here)."}`,
    '',
    table(['lang', 'tool', 'version', 'starts', 'min ms', 'p50 ms', 'p90 ms'], rows),
    '',
    `hot p50 / other p50: ${ratios.join(' · ') || '–'}`,
  ].join('\n');
}
