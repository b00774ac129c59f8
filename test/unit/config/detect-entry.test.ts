import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseEntry, detectEntry, entryLeads, listenHint, startsProgram } from '../../../src/config/detect-entry.js';
import { scriptTarget } from '../../../src/config/entry-script.js';

describe('scriptTarget', () => {
  it.each([
    ['tsx watch src/server.ts', 'src/server.ts'],
    ['tsx --tsconfig tsconfig.dev.json src/a.ts', 'src/a.ts'],
    ['ts-node -r tsconfig-paths/register src/main.ts', 'src/main.ts'],
    ['ts-node-dev --respawn --transpile-only src/server.ts', 'src/server.ts'],
    ['node --watch --env-file .env src/app.js', 'src/app.js'],
    ['node -r dotenv/config dist/server.js', 'dist/server.js'],
    ['NODE_ENV=development cross-env X=1 npx tsx src/index.ts', 'src/index.ts'],
    ['nodemon --watch src --exec "ts-node src/index.ts"', 'src/index.ts'],
    ['nodemon -e ts src/index.ts', 'src/index.ts'],
    ['tsc -p . && node dist/index.js', 'dist/index.js'],
    ['./node_modules/.bin/tsx src/x.ts', 'src/x.ts'],
    ['tsx --env-file .env watch src/x.ts', 'src/x.ts'],
  ])('%s runs %s', (script, file) => {
    expect(scriptTarget(script)).toEqual({ kind: 'file', file });
  });

  it.each([
    ['fastify start -l info app.ts', 'app.ts', ['fastify', 'start', '-l', 'info']],
    ['fastify start --ignore-watch=.ts$ -w -l info -P dist/app.js', 'dist/app.js', ['fastify', 'start', '-l', 'info']],
    ['fastify start --watch --ignore-watch .ts$ --pretty-logs -p 4000 -o app.js -- --name x', 'app.js', ['fastify', 'start', '-p', '4000', '-o', '--', '--name', 'x']],
    ['npm run build:ts && fastify start --log-level=debug --address 0.0.0.0 dist/app.js', 'dist/app.js', ['fastify', 'start', '--log-level=debug', '--address', '0.0.0.0']],
  ])('%s loads %s with fastify start, keeping what is not a watcher', (script, file, launcher) => {
    expect(scriptTarget(script)).toEqual({ kind: 'file', file, launcher });
  });

  it('fastify without start, or start without a file, runs nothing', () => {
    expect(scriptTarget('fastify generate . --lang=ts')).toBeNull();
    expect(scriptTarget('fastify start -l info')).toBeNull();
  });

  it.each(['nest start --watch', 'nest start'])('%s is Nest', (script) => {
    expect(scriptTarget(script)).toEqual({ kind: 'nest' });
  });

  it.each(['tsc -p .', 'vite', 'next dev', 'nest build', 'node', 'npm run build'])('%s runs no file', (script) => {
    expect(scriptTarget(script)).toBeNull();
  });
});

describe('entryLeads', () => {
  it('reads scripts dev, start, serve, then main, then common names', () => {
    const leads = entryLeads({ main: 'lib/x.js', scripts: { serve: 'node s.js', start: 'node dist/main.js', dev: 'tsx watch src/d.ts', build: 'tsc' } }, null);
    expect(leads.slice(0, 4)).toEqual([
      { file: 'src/d.ts', source: 'package.json scripts.dev: "tsx watch src/d.ts"' },
      { file: 'dist/main.js', source: 'package.json scripts.start: "node dist/main.js"' },
      { file: 's.js', source: 'package.json scripts.serve: "node s.js"' },
      { file: 'lib/x.js', source: 'package.json main' },
    ]);
    expect(leads[4]).toEqual({ file: 'src/main.ts', source: 'a common entry name' });
  });

  it.each([
    [null, 'src/main.ts'],
    [{ sourceRoot: 'apps/api/src' }, 'apps/api/src/main.ts'],
    [{ sourceRoot: 'src', entryFile: 'bootstrap' }, 'src/bootstrap.ts'],
  ])('nest start with nest-cli.json %j runs %s', (nestCli, file) => {
    expect(entryLeads({ scripts: { start: 'nest start' } }, nestCli)[0]!.file).toBe(file);
  });

  it('reads what bare nodemon runs from its exec', () => {
    expect(entryLeads({ scripts: { dev: 'nodemon' } }, null, 'ts-node -r tsconfig-paths/register src/server.ts')[0]).toEqual({
      file: 'src/server.ts',
      source: 'package.json scripts.dev: "nodemon" and nodemon\'s exec: "ts-node -r tsconfig-paths/register src/server.ts"',
    });
    expect(entryLeads({ scripts: { dev: 'nodemon' } }, null)[0]!.source).toBe('a common entry name');
  });

  it('follows a script that runs another by name, and stops at a cycle', () => {
    const scripts = { dev: 'npm run start:dev', 'start:dev': 'nest start --watch', start: 'yarn serve', serve: 'pnpm run start' };
    expect(entryLeads({ scripts }, null)[0]).toEqual({ file: 'src/main.ts', source: 'package.json scripts.dev → scripts.start:dev: "nest start --watch" and nest-cli.json' });
    expect(entryLeads({ scripts }, null)[1]!.source).toBe('a common entry name');
  });

  it('ignores a manifest without usable fields', () => {
    expect(entryLeads({ main: 3, scripts: 'x' }, null)[0]!.source).toBe('a common entry name');
  });
});

describe('chooseEntry', () => {
  const a = { file: 'src/index.ts', source: 'a common entry name', listens: false };
  const b = { file: 'src/server.ts', source: 'a common entry name', listens: true };
  it('prefers the first candidate that listens, and says which it passed', () => {
    expect(chooseEntry([a, b])).toEqual({ entry: b, reason: 'a common entry name: it calls listen(), src/index.ts does not' });
  });
  it('takes the first when none listens, and nothing from nothing', () => {
    expect(chooseEntry([a]).entry).toBe(a);
    expect(chooseEntry([]).entry).toBeNull();
  });
});

describe('detectEntry on a directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-detect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }

  it('picks the file that starts the app over the one that only exports it', () => {
    write('package.json', JSON.stringify({ main: 'src/index.ts' }));
    write('src/index.ts', 'export const app = {};\n');
    write('src/server.ts', "import { app } from './index.js';\napp.listen(3000);\n");
    const found = detectEntry(dir);
    expect(found.entry?.file).toBe('src/server.ts');
    expect(found.reason).toBe('a common entry name: it calls listen(), src/index.ts does not');
    expect(listenHint(dir, path.join(dir, 'src/index.ts'))).toBe('src/index.ts never calls listen(); src/server.ts does: run `hot src/server.ts`');
    expect(listenHint(dir, path.join(dir, 'src/server.ts'))).toBeNull();
  });

  it('follows local imports to a listen() call', () => {
    write('src/main.ts', "import './boot';\n");
    write('src/boot/index.ts', "import { start } from '../start.js'; start();\n");
    write('src/start.ts', 'export function start() { server.listen(0); }\n');
    expect(detectEntry(dir).entry).toMatchObject({ file: 'src/main.ts', listens: true });
  });

  it('maps a built file named by a script to its source, and finds Nest through nest-cli.json', () => {
    write('package.json', JSON.stringify({ scripts: { start: 'node dist/server.js' } }));
    write('src/server.ts', 'x.listen(1)');
    expect(detectEntry(dir).entry).toMatchObject({ file: 'src/server.ts', source: 'package.json scripts.start: "node dist/server.js"' });
    write('package.json', JSON.stringify({ scripts: { start: 'nest start' } }));
    write('nest-cli.json', JSON.stringify({ sourceRoot: 'app' }));
    write('app/main.ts', 'await app.listen(3000);');
    expect(detectEntry(dir).entry).toMatchObject({ file: 'app/main.ts', source: 'package.json scripts.start: "nest start" and nest-cli.json' });
  });

  it('runs a fastify-cli app through fastify start: the built file maps to its source, and the launcher listens for it', () => {
    const start = 'npm run build:ts && fastify start -l info dist/app.js';
    write('package.json', JSON.stringify({ main: 'app.ts', scripts: { start, dev: 'npm run build:ts && concurrently "npm:watch:ts" "npm:dev:start"' } }));
    write('src/app.ts', 'export default async function app() {}\n');
    write('src/server.ts', 'x.listen(3000)\n');
    const found = detectEntry(dir);
    expect(found.entry).toEqual({ file: 'src/app.ts', source: `package.json scripts.start: ${JSON.stringify(start)}`, launcher: ['fastify', 'start', '-l', 'info'], listens: true });
    expect(found.reason).toBe(`package.json scripts.start: ${JSON.stringify(start)}`);
    expect(listenHint(dir, path.join(dir, 'src/app.ts'))).toBe(
      `src/app.ts never calls listen(); fastify start -l info loads it and listens (package.json scripts.start: ${JSON.stringify(start)}): set run.launcher = "fastify start -l info" under [run], or run \`hot\` with no entry and no config`,
    );
  });

  it('finds nothing in an empty directory, and says where it looked', () => {
    const found = detectEntry(dir);
    expect(found.entry).toBeNull();
    expect(found.lookedFor.join('; ')).toContain('src/main, src/server, src/index, src/app, server, index (as .ts, .js, .mjs)');
  });
});

describe('startsProgram', () => {
  it.each([
    ['a script names it', { file: 'src/worker.ts', source: 'package.json scripts.dev: "tsx src/worker.ts"', listens: false }, true],
    ['it calls listen()', { file: 'src/server.js', source: 'a common entry name', listens: true }, true],
    ['a library main', { file: 'src/index.ts', source: 'package.json main', listens: false }, false],
    ['a library index', { file: 'src/index.ts', source: 'a common entry name', listens: false }, false],
  ])('%s', (_what, entry, expected) => {
    expect(startsProgram({ entry })).toBe(expected);
  });
  it('nothing found starts nothing', () => expect(startsProgram({ entry: null })).toBe(false));
});
