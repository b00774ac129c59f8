import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { act, answer, output, watching } from '../helpers/interact.js';
import { FIXTURES, REPO_ROOT } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/**
 * The user's machine getting in the way of a build (a file where the output directory should be, an
 * unreadable build output) is reported like a failed build, in one line and a hint; and a build's
 * error paths read from the directory hot was started in.
 */
describe('a build in an unfriendly environment', () => {
  const session = useSession();
  /** Printed for internal errors only: a stack frame, or the request for a bug report. */
  const BUG_REPORT = /^\[hot\] {5}at |^ {4}at |report this as a bug|internal error/m;

  it('reports an outfile whose directory is a file in one line and a hint, then builds once it is gone', async () => {
    const project = session.project('esbuild-basic');
    project.write('.hotrc.toml', 'include = ["src/**/*.ts"]\ndelay = 50\n[build]\nentry = "src/server.ts"\noutfile = "out/server.mjs"\n');
    project.write('out', 'a file where the directory should be\n');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(
      output(/build failed in \d+ ms, waiting for changes/),
      output(/^ {2}cannot write the bundle to out\/server\.mjs: file already exists \(EEXIST\)\n {2}hint: out is a file, not a directory: remove it, or set build\.outfile to another path/m),
      watching(),
    );
    expect(hot.output()).not.toMatch(BUG_REPORT);
    await hot.interact(
      act('remove the file and edit', () => {
        rmSync(project.path('out'));
        project.replace('src/version.ts', "'v1'", "'v2'");
      }),
      answer(port, (body) => body.includes('"version":"v2"')),
    );
    expect(hot.output()).not.toMatch(BUG_REPORT);
  });

  it('prints esbuild error paths relative to the directory hot was started in', async () => {
    const project = session.project();
    cpSync(path.join(FIXTURES, 'projects', 'esbuild-basic'), project.path('app'), { recursive: true });
    project.write('app/src/version.ts', "export const VERSION: string = = 'broken';\n");
    const hot = session.run(project, ['--config', 'app/.hotrc.toml']);
    await hot.interact(output(/build failed in \d+ ms, waiting for changes/), output(/^ {6}app\/src\/version\.ts:1:\d+:$/m));
  });

  describe('with a build command (tsc -p .)', () => {
    const pathWithTsc = `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`;

    it('reports an unreadable file in build.output in one line and a hint', async () => {
      const project = session.project('tsc-build');
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('node_modules'), 'dir');
      mkdirSync(project.path('dist'));
      // /proc/self/mem stats as a file, but reading it from the start fails with EIO, for root too.
      symlinkSync('/proc/self/mem', project.path('dist', 'mem.js'));
      const hot = session.run(project, [], { env: { PATH: pathWithTsc, PORT: String(await freePort()) } });
      await hot.interact(output(/build failed in .+, waiting for changes/, { timeoutMs: 40_000 }), output(/^ {2}cannot read the build output dist\/mem\.js: i\/o error \(EIO\)\n {2}hint: /m));
      expect(hot.output()).not.toMatch(BUG_REPORT);
    });

    it('prints its error paths relative to the directory hot was started in', async () => {
      const project = session.project();
      cpSync(path.join(FIXTURES, 'projects', 'tsc-build'), project.path('app'), { recursive: true });
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), project.path('app', 'node_modules'), 'dir');
      project.write('app/src/version.ts', 'export const VERSION: string = 42;\n');
      const hot = session.run(project, ['--config', 'app/.hotrc.toml'], { env: { PATH: pathWithTsc } });
      await hot.interact(output(/build failed in .+, waiting for changes/, { timeoutMs: 40_000 }), output(/^ {2}app\/src\/version\.ts\(1,14\): error TS2322/m));
    });
  });
});
