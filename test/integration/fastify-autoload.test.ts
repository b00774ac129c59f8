import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { REPO_ROOT, type TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';

const START = 'package.json scripts.start: "npm run build:ts && fastify start -l info dist/app.js"';
const RUNNING = /running src\/app\.ts with fastify start -l info \(from package\.json scripts\.start: "npm run build:ts && fastify start -l info dist\/app\.js"\)/;
const json = (body: string) => JSON.parse(body) as Record<string, unknown>;

/**
 * fixtures/projects/fastify-autoload, shaped like `fastify generate --lang=ts`: src/app.ts exports a
 * plugin that autoloads src/plugins and src/routes, and never listens; `fastify start` (fastify-cli)
 * does. No .hotrc.toml, no arguments: hot finds that in package.json and runs fastify-cli's start on
 * the source under its loader.
 */
describe('a fastify-cli app with @fastify/autoload', () => {
  const session = useSession();

  /** A copy of the fixture with the repository's node_modules, as after `npm install`. */
  function fastifyProject(): TempProject {
    const project = session.project('fastify-autoload');
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    return project;
  }

  async function start(project: TempProject, options: Parameters<Session['run']>[2] = {}): Promise<{ hot: HotProcess; port: number }> {
    const port = await freePort();
    const hot = session.run(project, [], { ...options, env: { PORT: String(port), ...options.env } });
    return { hot, port };
  }

  it('bare hot serves the autoloaded routes, an edit to a route, and keeps the answer through a syntax error', async () => {
    const project = fastifyProject();
    const { hot, port } = await start(project);
    // The root route answers with what the autoloaded plugin decorated the instance with.
    const root = await hot.interact(output(RUNNING), watching(), answer(port, /"root":true/));
    expect(json(root)).toEqual({ root: true, support: 'hugs' });
    expect(await get(port, '/example')).toBe('this is an example');

    // No import of app.ts reaches a route: only autoload's directory scan loads it.
    await hot.interact(
      act('edit a route', () => project.replace('src/routes/example/index.ts', "'this is an example'", "'this is an edited example'")),
      output(/restarting: src\/routes\/example\/index\.ts changed/),
      answer(port, /^this is an edited example$/, { path: '/example' }),
    );
    await hot.interact(
      act('break the route', () => project.replace('src/routes/example/index.ts', 'async function (request, reply) {', 'async function (request, reply {')),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/routes\/example\/index\.ts:4:\d+/),
    );
    expect(await get(port, '/example')).toBe('this is an edited example');
    expect(json(await get(port))).toEqual({ root: true, support: 'hugs' });
  });

  it('Ctrl-C stops fastify start and leaves no process behind', async () => {
    const { hot, port } = await start(fastifyProject());
    await hot.interact(output(RUNNING), answer(port, /"root":true/));
    const { code } = await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    await hot.interact(until('no process of hot left', () => hot.liveProcesses() === 0));
  });

  it('q on a terminal stops it and leaves no process behind', async () => {
    const { hot, port } = await start(fastifyProject(), { tty: true, env: { CI: '' } });
    await hot.interact(output(/press h for shortcuts/), answer(port, /"root":true/));
    const { code } = await hot.interact(act('press q', () => hot.write('q')), exit());
    expect(code).toBe(0);
    await hot.interact(until('no process of hot left', () => hot.liveProcesses() === 0));
  });

  it('without fastify-cli installed, says so in one line with the command to install it, and exits 2', async () => {
    const { hot } = await start(session.project('fastify-autoload'));
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toContain('fastify start needs fastify-cli, which is not installed here (no node_modules/.bin/fastify)');
    expect(hot.output()).toContain('hint: npm i -D fastify-cli');
    expect(hot.output()).not.toMatch(/\n\s+at /);
  });

  it('hot src/app.ts runs the plugin by itself, which exits without listening: the hint names fastify start', async () => {
    const hot = session.run(fastifyProject(), ['src/app.ts']);
    await hot.interact(
      output(/app exited cleanly, waiting for changes/),
      output(/hint: src\/app\.ts never calls listen\(\); fastify start -l info loads it and listens \(package\.json scripts\.start: .*\): set run\.launcher = "fastify start -l info"/),
    );
  });

  it('hot init writes build.entry and run.launcher, and hot runs that config the same way', async () => {
    const project = fastifyProject();
    const init = session.run(project, ['init']);
    expect((await init.interact(exit())).code).toBe(0);
    expect(init.output()).toContain(`wrote .hotrc.toml (build.entry = "src/app.ts", run.launcher = "fastify start -l info", from ${START})`);
    expect(project.read('.hotrc.toml')).toMatch(/^entry = "src\/app\.ts"$/m);
    expect(project.read('.hotrc.toml')).toMatch(/^launcher = "fastify start -l info"$/m);
    const { hot, port } = await start(project);
    const root = await hot.interact(output(/started src\/app\.ts/), answer(port, /"root":true/));
    expect(json(root)).toEqual({ root: true, support: 'hugs' });
    expect(hot.output()).not.toContain('running src/app.ts');
  });
});
