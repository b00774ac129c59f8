import { rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, get } from '../helpers/http.js';
import { act, answer, output, watching } from '../helpers/interact.js';
import { REPO_ROOT } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

/**
 * Bare `hot`, with no config and no arguments, finds the entry in package.json's dev script and
 * runs the program from its own files under tsx, as `node` + a TS loader would: each fixture
 * answers with what only in-place semantics give. Most temp projects have no node_modules, so tsx
 * comes from hot's own install.
 */
describe('running the entry in place', () => {
  const session = useSession();

  it('a CommonJS app reads a file via __dirname, imports via tsconfig paths, and keeps its answer through a syntax error', async () => {
    const project = session.project('cjs-paths');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    const first = await hot.interact(output(/running src\/server\.ts \(from package\.json scripts\.dev: /), output(/started src\/server\.ts/), watching(), answer(port, /hello from lib v1/));
    expect(json(first)).toEqual({
      greeting: 'hello from lib v1',
      message: 'read next to the module',
      moduleSystem: 'commonjs',
      filename: project.path('src/server.ts'),
      argv1: project.path('src/server.ts'),
    });
    await hot.interact(
      act('edit the library behind the paths alias', () => project.replace('src/lib/greeting.ts', 'v1', 'v2')),
      output(/restarting: src\/lib\/greeting\.ts changed/),
      answer(port, /hello from lib v2/),
    );
    await hot.interact(
      act('break the syntax', () => project.write('src/lib/greeting.ts', 'export function greeting(): string {\n  return = ;\n}\n')),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/lib\/greeting\.ts:2:\d+/),
    );
    expect(json(await get(port)).greeting).toBe('hello from lib v2');
  });

  it('an ESM app scans its routes via import.meta.dirname and import()s a .ts file', async () => {
    const project = session.project('esm-routes');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    const index = await hot.interact(output(/running src\/server\.ts \(from package\.json scripts\.dev: /), output(/started src\/server\.ts/), watching(), answer(port, /"version":"v1"/));
    expect(json(index)).toEqual({ version: 'v1', routes: ['/hello', '/time'], url: `file://${project.path('src/server.ts')}` });
    expect(json(await get(port, '/hello'))).toEqual({ hello: 'world v1' });

    // A route module is no import of the entry's: only the directory scan loads it.
    await hot.interact(
      act('edit a route', () => project.replace('src/routes/hello.ts', 'world v1', 'world v2')),
      output(/restarting: src\/routes\/hello\.ts changed/),
      answer(port, /world v2/, { path: '/hello' }),
    );
    await hot.interact(
      act('add a route', () => project.write('src/routes/bye.ts', "export const route = '/bye';\nexport const handle = () => ({ bye: true });\n")),
      answer(port, /"bye":true/, { path: '/bye' }),
    );
    await hot.interact(act('edit the dynamically imported file', () => project.replace('src/version.ts', 'v1', 'v2')), answer(port, /"version":"v2"/));
    // The gate covers a scanned module too, though the entry does not import it.
    await hot.interact(
      act('break a route', () => project.write('src/routes/hello.ts', "export const route = '/hello'\nexport function handle( {\n")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/routes\/hello\.ts:\d+:\d+/),
    );
    expect(json(await get(port, '/hello'))).toEqual({ hello: 'world v2' });
    await hot.interact(
      act('break the syntax', () => project.write('src/version.ts', "export const VERSION = = 'v3';\n")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/version\.ts:1:\d+/),
    );
    expect(json(await get(port)).version).toBe('v2');
  });

  it('an Express app with its real dependency answers a route imported via paths and a view read via __dirname', async () => {
    const project = session.project('express-ts');
    // Express from the repository's node_modules, as after `npm install` in a real project.
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/running src\/server\.ts \(from package\.json scripts\.dev: /), output(/started src\/server\.ts/), watching(), answer(port, /<h1>welcome<\/h1>/));
    expect(json(await get(port, '/users/7'))).toEqual({ id: '7', name: 'Ada v1' });
    await hot.interact(
      act('edit the route', () => project.replace('src/routes/users.ts', 'Ada v1', 'Ada v2')),
      output(/restarting: src\/routes\/users\.ts changed/),
      answer(port, /Ada v2/, { path: '/users/7' }),
    );
    await hot.interact(
      act('break the syntax', () => project.replace('src/routes/users.ts', "name: 'Ada v2' }", "name: 'Ada v3' ")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/routes\/users\.ts:\d+:\d+/),
    );
    expect(json(await get(port, '/users/7')).name).toBe('Ada v2');
  });

  it('a JavaScript entry with no tsconfig runs under plain node, as `node <entry>` would; with a tsconfig, under the loader', async () => {
    const project = session.project();
    project.write('server.mjs', "console.log(`loaders: ${process.execArgv.filter((arg) => arg === '--import' || arg === '--require').length}`);\n");
    const plain = session.run(project, ['server.mjs']);
    await plain.interact(output(/loaders: 0/), output(/app exited cleanly/));
    project.write('tsconfig.json', '{ "compilerOptions": { "allowJs": true } }\n');
    const loaded = session.run(project, ['server.mjs']);
    await loaded.interact(output(/loaders: 2/), output(/app exited cleanly/));
  });

  it("restarts for the program's sources and not for its tests", async () => {
    const project = session.project('esbuild-basic');
    rmSync(project.path('.hotrc.toml'));
    project.write('src/server.test.ts', "import { VERSION } from './version.js';\nconsole.log(VERSION);\n");
    project.write('src/__tests__/greeting.ts', "import { greeting } from '../greeting.js';\nconsole.log(greeting);\n");
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), watching(), answer(port, /"version":"v1"/));
    // Tests saved first, then the source: one restart, for the source alone.
    await hot.interact(
      act('edit two tests, then the version', () => {
        project.replace('src/server.test.ts', 'console.log(VERSION);', 'console.log(VERSION, 2);');
        project.replace('src/__tests__/greeting.ts', 'console.log(greeting);', 'console.log(greeting, 2);');
        project.replace('src/version.ts', "'v1'", "'v2'");
      }),
      output(/restarting: src\/version\.ts changed \(/),
      answer(port, /"version":"v2"/),
    );
    expect(hot.count(/restarting:/)).toBe(1);
  });
});
