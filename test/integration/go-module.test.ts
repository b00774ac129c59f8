import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goEnv } from '../helpers/go.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

/**
 * A Go module (fixtures/projects/go-server: a standard-library server reading templates/, with a
 * _test.go file and testdata/) under hot, as a Go developer used to air meets it: no config, then
 * the config `hot init` writes. Debian's golang-go is installed when missing (as root).
 */
describe('a Go module', () => {
  const session = useSession();

  it('runs with no config: builds, serves, serves an edit, keeps serving through a compile error, ignores tests and testdata', async () => {
    const project = session.project('go-server');
    project.write('.air.toml', '[build]\npoll = true\n');
    const port = await freePort();
    const hot = session.run(project, [], { env: { ...goEnv(), PORT: String(port) } });
    await hot.interact(
      output(/running a Go module \(go\.mod and package main in main\.go\): go build -o \.\/tmp\/app \., then \.\/tmp\/app/),
      output(/\.air\.toml is here, and hot does not read it: `hot init --from \.air\.toml` writes its settings as a \.hotrc\.toml/),
      output(/started \.\/tmp\/app/, { timeoutMs: 120_000 }),
      watching(),
      answer(port, /hello from go v1 \(template v1\)/),
    );
    await hot.interact(
      act('edit a .go file', () => project.replace('greeting.go', 'go v1', 'go v2')),
      output(/restarting: greeting\.go changed/),
      answer(port, /hello from go v2/),
    );
    await hot.interact(
      act('break the build', () => project.replace('greeting.go', 'func greeting() string {', 'func greeting() string {\n\treturn 42')),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/greeting\.go:4:9: /),
    );
    expect(await get(port)).toMatch(/hello from go v2/);
    await hot.interact(
      act('fix the build', () => project.write('greeting.go', 'package main\n\nfunc greeting() string {\n\treturn "hello from go v3"\n}\n')),
      answer(port, /hello from go v3 \(template v1\)/),
    );
    // Tests and their data are not the program: only the template edit after them restarts it.
    await hot.interact(
      act('edit a test, its testdata, then a template', () => {
        project.replace('greeting_test.go', 'HasPrefix', 'Contains');
        project.write('testdata/greeting.txt', 'hello\n');
        project.write('testdata/more/case.txt', 'new\n');
        project.replace('templates/index.tmpl', 'template v1', 'template v2');
      }),
      output(/restarting: templates\/index\.tmpl changed/),
      answer(port, /hello from go v3 \(template v2\)/),
    );
    expect(hot.sinceMark()).not.toMatch(/_test\.go|testdata/);
  });

  it('hot init writes the Go config, doctor finds nothing wrong with it, and hot serves with it', async () => {
    const project = session.project('go-server');
    const env = goEnv();
    const init = session.run(project, ['init'], { env });
    expect((await init.interact(exit())).code).toBe(0);
    expect(init.output()).toMatch(/wrote \.hotrc\.toml for a Go module \(go\.mod and package main in main\.go\): go build -o \.\/tmp\/app \., then \.\/tmp\/app/);
    expect(project.read('.hotrc.toml')).toMatch(/^bin = "\.\/tmp\/app"$/m);

    // Before the first build: the binary bin names does not exist yet, and that is no failure.
    const doctor = session.run(project, ['doctor'], { env });
    expect((await doctor.interact(exit({ timeoutMs: 30_000 }))).code).toBe(0);
    expect(doctor.output()).toMatch(/ok {4}bin: \.\/tmp\/app: \.\/tmp\/app is written by build\.cmd/);
    expect(doctor.output()).not.toMatch(/FAIL/);

    const port = await freePort();
    project.replace('.hotrc.toml', '# env = { PORT = "8080" }', `env = { PORT = "${port}" }`);
    const hot = session.run(project, [], { env });
    await hot.interact(output(/started \.\/tmp\/app/, { timeoutMs: 120_000 }), watching(), answer(port, /hello from go v1/));
    expect(hot.output()).not.toMatch(/running a Go module/);
    await hot.interact(act('edit a .go file', () => project.replace('greeting.go', 'go v1', 'go v2')), answer(port, /hello from go v2/));
  });

  it('hot init --from .air.toml writes the same setup in hot\'s keys, and hot serves with it', async () => {
    const project = session.project('go-server');
    project.write(
      '.air.toml',
      ['root = "."', 'tmp_dir = "tmp"', '[build]', 'cmd = "go build -o ./tmp/main ."', 'bin = "./tmp/main"', 'include_ext = ["go", "tmpl"]', 'exclude_dir = ["tmp", "vendor", "testdata"]', 'exclude_regex = ["_test.go"]', 'kill_delay = "500ms"', 'log = "build-errors.log"', ''].join('\n'),
    );
    const env = goEnv();
    const init = session.run(project, ['init', '--from', '.air.toml'], { env });
    expect((await init.interact(exit())).code).toBe(0);
    expect(init.output()).toMatch(/wrote \.hotrc\.toml from \.air\.toml: \d+ settings; 1 without an equivalent, kept as comments at its end/);
    expect(project.read('.hotrc.toml')).toMatch(/^# \.air\.toml: build\.log = "build-errors\.log": air keeps build errors there/m);

    const port = await freePort();
    const hot = session.run(project, [], { env: { ...env, PORT: String(port) } });
    await hot.interact(output(/started \.\/tmp\/main/, { timeoutMs: 120_000 }), watching(), answer(port, /hello from go v1/));
    await hot.interact(act('edit a .go file', () => project.replace('greeting.go', 'go v1', 'go v2')), output(/restarting: greeting\.go changed/), answer(port, /hello from go v2/));
    await hot.interact(act('edit a test file', () => project.replace('greeting_test.go', 'HasPrefix', 'Contains')), act('edit a template', () => project.replace('templates/index.tmpl', 'template v1', 'template v2')), answer(port, /template v2/));
    expect(hot.sinceMark()).not.toMatch(/_test\.go/);
  });

  it('hot doctor fails when the build needs go and there is none, naming where to get it', async () => {
    const project = session.project('go-server');
    project.write('.hotrc.toml', 'bin = "./tmp/main"\n[build]\ncmd = "go build -o ./tmp/main ."\n');
    const doctor = session.run(project, ['doctor'], { env: { PATH: project.path('no-tools-here') } });
    expect((await doctor.interact(exit({ timeoutMs: 30_000 }))).code).toBe(1);
    expect(doctor.output()).toMatch(/FAIL {2}build\.cmd: go is not installed/);
    expect(doctor.output()).toMatch(/hint: install Go: apt-get install golang-go \(Debian, Ubuntu\), or the official release from https:\/\/go\.dev\/dl/);
    expect(doctor.output()).toMatch(/ok {4}bin: \.\/tmp\/main: \.\/tmp\/main is written by build\.cmd/);
  });

  it('hot -- go run . watches the .go files, and its restarts and a Ctrl-C leave none of go run\'s temp directories behind', async () => {
    const project = session.project('go-server');
    // hot's own temp dir, so exactly the go-build* directories of this test's go run show up there.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hot-test-gotmp-'));
    session.onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
    const goBuildDirs = () => readdirSync(tmp).filter((name) => name.startsWith('go-build'));
    const port = await freePort();
    const hot = session.run(project, ['--', 'go', 'run', '.'], { env: { ...goEnv(), TMPDIR: tmp, PORT: String(port) } });
    await hot.interact(output(/started go run \./, { timeoutMs: 120_000 }), watching(), answer(port, /hello from go v1/, { timeoutMs: 120_000 }));
    expect(goBuildDirs()).toHaveLength(1);
    for (const version of ['v2', 'v3']) {
      await hot.interact(act(`edit to ${version}`, () => project.replace('greeting.go', /go v\d/, `go ${version}`)), answer(port, new RegExp(`hello from go ${version}`), { timeoutMs: 60_000 }));
      // The one running go run's directory; every earlier one went with its go run.
      expect(goBuildDirs()).toHaveLength(1);
    }
    const status = await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(status.code).toBe(130);
    expect(goBuildDirs()).toEqual([]);
  });

  it('a Ctrl-C while go build runs leaves none of its work directory behind', async () => {
    const project = session.project('go-server');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hot-test-gotmp-'));
    session.onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
    // Every tool go build runs waits on a pipe nobody writes to: the build is surely running at Ctrl-C.
    execFileSync('mkfifo', [project.path('hold')]);
    project.write('hold.sh', `#!/bin/sh\nread line < '${project.path('hold')}'\nexec "$@"\n`);
    chmodSync(project.path('hold.sh'), 0o755);
    project.write('.hotrc.toml', `bin = "./tmp/app"\n[build]\ncmd = "go build -toolexec ${project.path('hold.sh')} -o ./tmp/app ."\n`);
    const hot = session.run(project, [], { env: { ...goEnv(), TMPDIR: tmp } });
    const workDirs = () => readdirSync(tmp, { recursive: true, encoding: 'utf8' }).filter((name) => /(?:^|\/)go-build\d+$/.test(name));
    await hot.interact(until('go build has its work directory', () => workDirs().length > 0, { timeoutMs: 60_000 }));
    await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(readdirSync(tmp)).toEqual([]);
  });
});
