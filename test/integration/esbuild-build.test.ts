import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const version = (name: string) => (body: string) => body.includes(`"version":"${name}"`);

describe('the built-in esbuild build', () => {
  const session = useSession();

  async function start(): Promise<{ port: number; hot: HotProcess; project: TempProject }> {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), watching(), answer(port, version('v1')));
    return { port, hot, project };
  }

  it('serves a TypeScript edit after one rebuild and restart', async () => {
    const { port, hot, project } = await start();
    const body = await hot.interact(
      act('set v2', () => project.replace('src/version.ts', "'v1'", "'v2'")),
      output(/restarting: src\/version\.ts changed \(built in \d+ ms, ready in \d+ ms, pid \d+\)/),
      answer(port, version('v2')),
    );
    expect(JSON.parse(body).version).toBe('v2');
  });

  it('keeps the old server answering through a syntax error, and the fix restarts it', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    await hot.interact(
      act('break the syntax', () => project.write('src/version.ts', "export const VERSION: string = = 'broken';\n")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/src\/version\.ts:1:\d+/),
    );
    expect(JSON.parse(await get(port))).toMatchObject({ version: 'v1', pid: firstPid });

    const after = await hot.interact(act('fix it', () => project.write('src/version.ts', "export const VERSION: string = 'fixed';\n")), answer(port, version('fixed')));
    expect(JSON.parse(after).pid).not.toBe(firstPid);
  });

  it('does not restart for a file outside the graph and outside include', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    await hot.interact(
      act('write notes/todo.ts and README.txt, then edit a file of the bundle', () => {
        project.write('notes/todo.ts', 'export const later = 1;\n');
        project.write('README.txt', 'not code\n');
        // A file inside the graph afterwards proves the watcher was live and the earlier saves were dropped.
        project.replace('src/version.ts', "'v1'", "'v3'");
      }),
      output(/restarting: src\/version\.ts changed/),
      answer(port, version('v3')),
    );
    expect(hot.count(/restarting:/)).toBe(1);
    expect(hot.output()).not.toMatch(/todo\.ts|README/);
    // Both versions accept on the held socket until the old one has heard it is replaced.
    await hot.interact(until('the old version no longer answers', async () => JSON.parse(await get(port)).pid !== firstPid));
  });

  it('skips the restart when the build output comes out byte-identical', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    await hot.interact(
      // A comment is not in esbuild's output: nothing the program runs changed.
      act('add a comment to src/version.ts', () => project.write('src/version.ts', "// the version\nexport const VERSION = 'v1';\n")),
      output(/src\/version\.ts changed, output unchanged \(built in \d+ ms\): not restarting/),
    );
    expect(JSON.parse(await get(port)).pid).toBe(firstPid);
  });

  it('restarts for an included file outside the graph: the program, run in place, may load it', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    await hot.interact(
      act('write src/unused.ts', () => project.write('src/unused.ts', 'export const NOT_IMPORTED = 2;\n')),
      output(/restarting: src\/unused\.ts changed/),
      answer(port, (body) => JSON.parse(body).pid !== firstPid),
    );
  });

  it('with build.outfile, writes that bundle and runs it', async () => {
    const project = session.project('esbuild-basic');
    project.write('.hotrc.toml', '[build]\nentry = "src/server.ts"\noutfile = "out/server.mjs"\n');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), answer(port, version('v1')));
    expect(project.read('out/server.mjs')).toContain('hello,');
    await hot.interact(act('set v2', () => project.replace('src/version.ts', "'v1'", "'v2'")), answer(port, version('v2')));
    expect(project.read('out/server.mjs')).toContain('"v2"');
  });

  it('runs a bare entry file in place with no config', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(
      answer(port, version('v1')),
      watching(),
      act('edit the greeting', () => project.replace('src/greeting.ts', 'hello,', 'hi,')),
      answer(port, (body) => body.includes('"message":"hi, world"')),
    );
  });
});
