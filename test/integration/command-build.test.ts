import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get, waitForResponse } from '../helpers/http.js';
import { REPO_ROOT, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

describe('a build command (tsc -p .)', () => {
  const session = useSession();

  async function start(): Promise<{ port: number; hot: HotProcess; project: TempProject }> {
    const project = session.project('tsc-build');
    // The project's own TypeScript and @types/node, as after `npm install` in a real project.
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    const port = await freePort();
    const env = { PORT: String(port), PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
    const hot = session.run(project, [], env);
    await waitForResponse(port, (body) => body.startsWith('v1 '), 40_000);
    await hot.watching();
    return { port, hot, project };
  }

  it('rebuilds and serves an edit, and a type error keeps the last good server', async () => {
    const { port, hot, project } = await start();
    project.replace('src/version.ts', "'v1'", "'v2'");
    await waitForResponse(port, (body) => body.startsWith('v2 '), 40_000);
    const pid = (await get(port)).split(' ')[1]!.trim();

    const before = hot.output().length;
    project.write('src/version.ts', 'export const VERSION: string = 42;\n');
    await hot.waitFor(/build failed in \d+ (ms|s), keeping the previous process running/, { from: before, timeoutMs: 40_000 });
    await hot.waitFor(/src\/version\.ts\(1,14\): error TS2322/, { from: before });
    expect(await get(port)).toBe(`v2 ${pid}\n`);

    project.write('src/version.ts', "export const VERSION: string = 'v3';\n");
    await waitForResponse(port, (body) => body.startsWith('v3 '), 40_000);
  });

  it('skips the restart when the build output is byte-identical', async () => {
    const { port, hot, project } = await start();
    const pid = (await get(port)).split(' ')[1]!.trim();
    project.write('src/version.ts', `${project.read('src/version.ts')}export type Label = string; // types are erased: same JavaScript\n`);
    await hot.waitFor(/src\/version\.ts changed, output unchanged \(built in .+\): not restarting/, { timeoutMs: 40_000 });
    expect(await get(port)).toBe(`v1 ${pid}\n`);
  });
});
