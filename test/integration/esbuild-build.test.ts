import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get, waitForResponse } from '../helpers/http.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

describe('the built-in esbuild build', () => {
  const session = useSession();

  async function start(): Promise<{ port: number; hot: HotProcess; project: TempProject }> {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    await hot.waitFor(/started src\/server\.ts/);
    await hot.watching();
    await waitForResponse(port, (body) => body.includes('"version":"v1"'));
    return { port, hot, project };
  }

  it('serves a TypeScript edit after one rebuild and restart', async () => {
    const { port, hot, project } = await start();
    const before = hot.output().length;
    project.replace('src/version.ts', "'v1'", "'v2'");
    const body = await waitForResponse(port, (text) => text.includes('"version":"v2"'), 15_000);
    expect(JSON.parse(body).version).toBe('v2');
    await hot.waitFor(/restarting: src\/version\.ts changed \(built in \d+ ms, ready in \d+ ms, pid \d+\)/, { from: before });
  });

  it('keeps the old server answering through a syntax error, and the fix restarts it', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    const before = hot.output().length;
    project.write('src/version.ts', "export const VERSION: string = = 'broken';\n");
    await hot.waitFor(/build failed in \d+ ms, keeping the previous process running/, { from: before });
    await hot.waitFor(/src\/version\.ts:1:\d+/, { from: before });
    const during = JSON.parse(await get(port));
    expect(during).toMatchObject({ version: 'v1', pid: firstPid });

    project.write('src/version.ts', "export const VERSION: string = 'fixed';\n");
    const after = JSON.parse(await waitForResponse(port, (text) => text.includes('"version":"fixed"')));
    expect(after.pid).not.toBe(firstPid);
  });

  it('does not restart for a file outside the bundle and outside include', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    project.write('notes/todo.ts', 'export const later = 1;\n');
    project.write('README.txt', 'not code\n');
    // A file inside the graph afterwards proves the watcher was live and the earlier saves were dropped.
    project.replace('src/version.ts', "'v1'", "'v3'");
    await waitForResponse(port, (text) => text.includes('"version":"v3"'));
    expect(hot.count(/restarting:/)).toBe(1);
    expect(hot.output()).not.toMatch(/todo\.ts|README/);
    expect(JSON.parse(await get(port)).pid).not.toBe(firstPid);
  });

  it('skips the restart when the bundle comes out byte-identical', async () => {
    const { port, hot, project } = await start();
    const firstPid = JSON.parse(await get(port)).pid as number;
    // include matches src/unused.ts, so it is rebuilt, but the bundle does not contain it.
    project.write('src/unused.ts', 'export const NOT_IN_THE_BUNDLE = 2;\n');
    await hot.waitFor(/src\/unused\.ts changed, output unchanged \(built in \d+ ms\): not restarting/);
    expect(JSON.parse(await get(port)).pid).toBe(firstPid);
  });

  it('bundles and runs a bare entry file with no config', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts'], { PORT: String(port) });
    await waitForResponse(port, (body) => body.includes('"version":"v1"'));
    await hot.watching();
    project.replace('src/greeting.ts', 'hello,', 'hi,');
    await waitForResponse(port, (body) => body.includes('"message":"hi, world"'));
  });
});
