// The tools compared, one entry each: adding a peer is adding one entry here.
// start(ctx) launches the tool watching ctx.dir and running ctx.entry, or returns null when the tool
// cannot do what the scenario asks (for example run TypeScript, or run a command through a shell).
//   ctx.entry    'app.mjs' or 'src/server.ts', relative to ctx.dir
//   ctx.lang     'js' | 'ts'
//   ctx.env      environment for the app (PORT, …)
//   ctx.shell    true: the app must run behind `sh -c "node …"`
//   ctx.serve    { port } for hot's zero-downtime proxy (others get PORT=port and listen themselves)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, launch, REPO } from './harness.mjs';

export const CLI = path.join(REPO, 'dist', 'cli', 'main.cjs');
const TSX_LOADER = path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs');

const packageVersion = (name) => {
  try {
    const file = name === 'hot' ? path.join(REPO, 'package.json') : path.join(REPO, 'node_modules', name, 'package.json');
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return 'not installed';
  }
};

const which = (command) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
};

const appEnv = (ctx) => ({ ...ctx.env, ...(ctx.serve ? { PORT: String(ctx.serve.port) } : {}) });

export const TOOLS = [
  {
    name: 'hot',
    version: () => packageVersion('hot'),
    start(ctx) {
      const serve = ctx.serve ? ['--port', String(ctx.serve.port)] : [];
      const run = ctx.lang === 'ts' ? [ctx.entry] : ctx.shell ? ['--', 'sh', '-c', `node ${ctx.entry}`] : ['--', 'node', ctx.entry];
      if (ctx.lang === 'ts' && ctx.shell) return null;
      return launch(process.execPath, [CLI, '--quiet', ...serve, ...run], { cwd: ctx.dir, env: ctx.env });
    },
  },
  {
    name: 'nodemon',
    version: () => packageVersion('nodemon'),
    start(ctx) {
      const exec = ctx.lang === 'ts' ? ['-e', 'ts,json', '--exec', `node --import ${TSX_LOADER}`, ctx.entry] : ctx.shell ? ['--exec', `sh -c "node ${ctx.entry}"`] : [ctx.entry];
      if (ctx.lang === 'ts' && ctx.shell) return null;
      return launch(path.join(BIN, 'nodemon'), ['--quiet', ...exec], { cwd: ctx.dir, env: appEnv(ctx) });
    },
  },
  {
    name: 'node --watch',
    version: () => process.version,
    start(ctx) {
      if (ctx.shell) return null;
      const loader = ctx.lang === 'ts' ? ['--import', TSX_LOADER] : [];
      return launch(process.execPath, [...loader, '--watch', ctx.entry], { cwd: ctx.dir, env: appEnv(ctx) });
    },
  },
  {
    name: 'tsx watch',
    version: () => packageVersion('tsx'),
    start(ctx) {
      if (ctx.shell) return null;
      return launch(path.join(BIN, 'tsx'), ['watch', '--clear-screen=false', ctx.entry], { cwd: ctx.dir, env: appEnv(ctx) });
    },
  },
  {
    name: 'ts-node-dev',
    version: () => packageVersion('ts-node-dev'),
    start(ctx) {
      if (ctx.shell) return null;
      return launch(path.join(BIN, 'ts-node-dev'), ['--respawn', '--transpile-only', '--quiet', ctx.entry], { cwd: ctx.dir, env: appEnv(ctx) });
    },
  },
  {
    name: 'entr',
    version: () => (which('entr') ? 'installed' : 'not installed'),
    start(ctx) {
      const entr = which('entr');
      if (!entr || ctx.lang === 'ts') return null;
      const run = ctx.shell ? `sh -c 'node ${ctx.entry}'` : `node ${ctx.entry}`;
      return launch('sh', ['-c', `find . -name node_modules -prune -o -type f -print | ${entr} -r ${run}`], { cwd: ctx.dir, env: appEnv(ctx) });
    },
  },
];

/** The tools named in `--tools a,b` (by name or prefix), or all. */
export function selectTools(list) {
  if (!list) return TOOLS;
  const wanted = list.split(',').map((name) => name.trim().toLowerCase());
  return TOOLS.filter((tool) => wanted.some((name) => tool.name.toLowerCase().startsWith(name)));
}
