import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import { REPO_ROOT, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/** tsc takes a while on two busy cores: each build step gets 90 s, and a test with four builds more than the default 60 s. */
const TSC = { timeoutMs: 90_000 };

describe('a build command (tsc -p .)', { timeout: 300_000 }, () => {
  const session = useSession();

  async function start(): Promise<{ port: number; hot: HotProcess; project: TempProject }> {
    const project = session.project('tsc-build');
    // The project's own TypeScript and @types/node, as after `npm install` in a real project.
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
    const port = await freePort();
    const env = { PORT: String(port), PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
    const hot = session.run(project, [], { env });
    await hot.interact(answer(port, /^v1 /, TSC), watching());
    return { port, hot, project };
  }

  it('rebuilds and serves an edit, and a type error keeps the last good server', async () => {
    const { port, hot, project } = await start();
    const served = await hot.interact(act('set v2', () => project.replace('src/version.ts', "'v1'", "'v2'")), answer(port, /^v2 /, TSC));
    await hot.interact(
      act('break the types', () => project.write('src/version.ts', 'export const VERSION: string = 42;\n')),
      output(/build failed in \d+ (ms|s), keeping the previous process running/, TSC),
      output(/src\/version\.ts\(1,14\): error TS2322/),
    );
    expect(await get(port)).toBe(served);
    await hot.interact(act('fix them with v3', () => project.write('src/version.ts', "export const VERSION: string = 'v3';\n")), answer(port, /^v3 /, TSC));
  });

  it('skips the restart when the build output is byte-identical', async () => {
    const { port, hot, project } = await start();
    const served = await get(port);
    await hot.interact(
      act('add a type only', () => project.write('src/version.ts', `${project.read('src/version.ts')}export type Label = string; // types are erased: same JavaScript\n`)),
      output(/src\/version\.ts changed, output unchanged \(built in .+\): not restarting/, TSC),
    );
    expect(await get(port)).toBe(served);
  });
});

describe('a save during the first build', () => {
  const session = useSession();

  it('is built and served: the watcher is up while a long first build runs', async () => {
    const project = session.project();
    project.write('src/a.txt', 'v1\n');
    project.write('app.mjs', "import http from 'node:http';\nimport { readFileSync } from 'node:fs';\nhttp.createServer((q, s) => s.end(readFileSync('out.txt', 'utf8'))).listen(Number(process.env.PORT));\n");
    // The build copies the source, says so, then takes a while longer: the save lands after its read.
    project.write('.hotrc.toml', 'include = ["src/*.txt"]\nbin = "node app.mjs"\n[build]\ncmd = "sh -c \'cp src/a.txt out.txt && echo > copied.flag && sleep 1\'"\noutput = "out.txt"\n');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(
      until('the first build has read src/a.txt', () => existsSync(project.path('copied.flag'))),
      output(/watching \. \(/),
      act('save v2 while it still runs', () => project.write('src/a.txt', 'v2\n')),
      answer(port, /^v2/),
    );
    // The watcher was up before the first build was over (and the program started).
    expect(hot.output().indexOf('watching .')).toBeLessThan(hot.output().indexOf('started node app.mjs'));
  });
});
