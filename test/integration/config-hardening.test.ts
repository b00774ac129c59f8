import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
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

/** Answers with the GREETING its environment holds. */
const GREETER = "import { createServer } from 'node:http';\ncreateServer((_, res) => res.end(`greeting=${process.env.GREETING}\\n`)).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('greeter up'));\n";

describe('an env file no environment can hold', () => {
  const session = useSession();

  it('names .env when it is rewritten as UTF-16, keeps the running app, and restarts once it is fixed', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('app.mjs', GREETER);
    project.write('.env', 'GREETING=hello\n');
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv_file = [".env"]\nenv = { PORT = "${port}" }\n`);
    const hot = session.run(project, []);
    await hot.interact(answer(port, /^greeting=hello$/m), watching());
    await hot.interact(
      act('rewrite .env as UTF-16, as PowerShell does', () => writeFileSync(project.path('.env'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('GREETING=bonjour\r\n', 'utf16le')]))),
      output(/\[hot\] restarting: \.env changed, but \.env looks like UTF-16: save it as UTF-8; the previous version keeps serving, waiting for changes/),
      output(/hint: .*Out-File -Encoding utf8/),
    );
    expect(await get(port)).toBe('greeting=hello\n');
    expect(hot.output()).not.toMatch(BUG_REPORT);
    await hot.interact(act('save .env as UTF-8', () => project.write('.env', 'GREETING=bonjour\n')), answer(port, /^greeting=bonjour$/m));
  });
});

describe('named pipes where hot expects files (1Password mounts .env as one)', () => {
  const session = useSession();

  function projectWithApp(): TempProject {
    const project = session.project();
    project.write('app.mjs', "console.log(`app up greeting=${process.env.GREETING}`);\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv_file = [".env"]\n');
    return project;
  }

  it('waits for a .env pipe without blocking: Ctrl-C during the wait stops hot', async () => {
    const project = projectWithApp();
    execFileSync('mkfifo', [project.path('.env')]);
    const hot = session.run(project, []);
    const { code } = await hot.interact(watching(), act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    expect(hot.output()).not.toMatch(/app up|cannot read env file/);
    await hot.interact(until('no process of hot left', () => hot.liveProcesses() === 0));
  });

  it('reads a .env pipe whose writer waits for a reader, as 1Password does', async () => {
    const project = projectWithApp();
    execFileSync('mkfifo', [project.path('.env')]);
    // The writer's open waits until hot opens the pipe to read it.
    const writer = spawn('sh', ['-c', 'printf "GREETING=from-pipe\\n" > .env'], { cwd: project.dir, stdio: 'ignore' });
    session.onCleanup(() => writer.kill());
    const hot = session.run(project, []);
    await hot.interact(output(/app up greeting=from-pipe/));
  });

  it('rejects a .hotrc.toml that is a pipe instead of waiting for it', async () => {
    const project = session.project();
    execFileSync('mkfifo', [project.path('.hotrc.toml')]);
    const hot = session.run(project, []);
    const { code } = await hot.interact(exit());
    expect(code, hot.output()).toBe(2);
    expect(hot.output()).toContain('.hotrc.toml is not a regular file');
  });

  it('ignores a .gitignore that is a pipe', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app up');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    execFileSync('mkfifo', [project.path('.gitignore')]);
    const hot = session.run(project, []);
    await hot.interact(output(/app up/), watching(), act('Ctrl-C', () => hot.signal('SIGINT')), exit());
  });
});
