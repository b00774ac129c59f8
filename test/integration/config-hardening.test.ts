import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exit, output, until } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

/** Printed for internal errors only: a stack frame, or the request for a bug report. */
const BUG_REPORT = /^\[hot\] {5}at |^ {4}at |report this as a bug|internal error/m;

describe('commands written over several lines', () => {
  const session = useSession();

  it('runs every line of a multi-line build command', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app up');\nsetInterval(() => {}, 1000);\n");
    // Split into one argv, the second line would only be extra arguments of the first node.
    project.write(
      '.hotrc.toml',
      [
        'include = ["app.mjs"]',
        'bin = "node app.mjs"',
        '[build]',
        'cmd = """',
        `node -e "require('fs').writeFileSync('first.txt', 'one')"`,
        `node -e "require('fs').writeFileSync('second.txt', 'two')"`,
        '"""',
        '',
      ].join('\n'),
    );
    const hot = session.run(project, []);
    await hot.interact(output(/app up/), until('both files are written', () => existsSync(project.path('first.txt')) && existsSync(project.path('second.txt'))));
    expect([project.read('first.txt'), project.read('second.txt')]).toEqual(['one', 'two']);
  });

  it('rejects an unclosed "${" as a config mistake with file:line, not an internal error', async () => {
    const project = session.project();
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "echo ${"\n');
    const hot = session.run(project, []);
    const { code } = await hot.interact(exit());
    expect(code, hot.output()).toBe(2);
    expect(hot.output()).toContain('.hotrc.toml:2: bin must be a command line whose quotes and substitutions are closed (the "${" at column 6 is never closed)');
    expect(hot.output()).not.toMatch(BUG_REPORT);
  });
});
