import { chownSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { exit, output } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

describe('hot doctor', () => {
  const session = useSession();

  it('says what it checked and finds nothing wrong in a healthy project', async () => {
    const project = session.project();
    project.write('app.mjs', 'setInterval(() => {}, 1000);\n');
    project.write('src/a.js', '');
    project.write('src/b.ts', '');
    project.write('node_modules/dep/index.js', ''); // never watched, and where the event probe goes
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    const hot = session.run(project, ['doctor']);
    expect((await hot.interact(exit())).code).toBe(0);
    const output = hot.output();
    expect(output).toMatch(/^\[hot\] ok {4}node v\d+\.\d+\.\d+$/m);
    // .hotrc.toml, app.mjs, src/a.js, src/b.ts: node_modules is never watched.
    expect(output).toMatch(/^\[hot\] ok {4}4 files in 2 directories to watch \(native watcher, one inotify watch per directory\); inotify limit [\d,]+, [\d,]+ in use by running programs$/m);
    expect(output).toMatch(/^\[hot\] ok {4}file watching: native \(@parcel\/watcher\)$/m);
    expect(output).toMatch(/^\[hot\] ok {4}file-system events arrive in \. \(in \d+ ms\)$/m);
    expect(output).toMatch(/^\[hot\] ok {4}bin: node app\.mjs$/m);
    expect(output).toMatch(/^\[hot\] no problems found$/m);
    // The probe cleaned up after itself and wrote nothing among the sources.
    expect(project.read('.hotrc.toml')).toBe('bin = "node app.mjs"\n');
  });

  it('names the tsc the type check would run, and says when [check] types is on without one', async () => {
    const project = session.project('typed-http');
    project.write('.hotrc.toml', '[build]\nentry = "src/server.ts"\n[check]\ntypes = "block"\n');
    const missing = session.run(project, ['doctor']);
    await missing.interact(exit());
    expect(missing.output()).toMatch(/^\[hot\] warn {2}type check on, but no node_modules\/\.bin\/tsc in the project or a directory above it\n\[hot\] .*install TypeScript/m);
    project.write('node_modules/.bin/tsc', '#!/bin/sh\n');
    const found = session.run(project, ['doctor']);
    await found.interact(exit());
    expect(found.output()).toMatch(/^\[hot\] ok {4}type check: node_modules\/\.bin\/tsc --noEmit --watch -p tsconfig\.json \(type errors hold the restart\)$/m);
  });

  it('finds a port in use (naming its owner) and a build command that is not installed', async () => {
    const project = session.project();
    const server = net.createServer();
    session.onCleanup(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    project.write('app.mjs', 'setInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[build]\ncmd = "no-such-compiler --build"\n[serve]\nport = ${port}\n`);
    const hot = session.run(project, ['doctor']);
    expect((await hot.interact(exit())).code).toBe(1);
    const output = hot.output();
    expect(output).toContain(`[hot] FAIL  port ${port} is already in use by pid ${process.pid}`);
    expect(output).toMatch(/\[hot\] FAIL {2}build\.cmd: no-such-compiler is not installed \(not in PATH nor in node_modules\/\.bin\)/);
    expect(output).toMatch(/hint: install it \(e\.g\. npm i -D no-such-compiler\), or fix build\.cmd in \.hotrc\.toml/);
    expect(output).toMatch(/^\[hot\] found problems: see FAIL above$/m);
  });

  it("probes in hot's private cache when the project has no node_modules, never in a stranger's above it", async () => {
    const project = session.project();
    // The project in a shared directory where another user has put a node_modules.
    project.write('node_modules/.keep', '');
    chownSync(project.path('node_modules'), 1234, 1234);
    project.write('app/app.mjs', 'setInterval(() => {}, 1000);\n');
    project.write('app/.hotrc.toml', 'bin = "node app.mjs"\n');
    const cacheHome = session.project();
    const hot = session.run(project, ['doctor', '--config', 'app/.hotrc.toml'], { env: { XDG_CACHE_HOME: cacheHome.dir } });
    expect((await hot.interact(exit())).code).toBe(0);
    expect(hot.output()).toMatch(/^\[hot\] ok {4}file-system events arrive in app \(in \d+ ms\)$/m);
    expect(readdirSync(project.path('node_modules'))).toEqual(['.keep']);
    // The probe went into the project's directory in the private cache (0700), and cleaned up after itself.
    const [projectCache, ...others] = readdirSync(cacheHome.path('hot'));
    expect(others).toEqual([]);
    expect(statSync(cacheHome.path('hot', projectCache!)).mode & 0o777).toBe(0o700);
    expect(readdirSync(cacheHome.path('hot', projectCache!))).toEqual([]);
  });

  it("fails the event check, naming the directory, when hot's cache belongs to another user", async () => {
    const project = session.project();
    project.write('app.mjs', 'setInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    const cacheHome = session.project();
    cacheHome.write('hot/.keep', '');
    chownSync(cacheHome.path('hot'), 1234, 1234);
    const hot = session.run(project, ['doctor'], { env: { XDG_CACHE_HOME: cacheHome.dir } });
    expect((await hot.interact(exit())).code).toBe(1);
    expect(hot.output()).toContain(`[hot] FAIL  file-system events in .: the probe could not run: hot's cache directory ${cacheHome.path('hot')} belongs to another user (uid 1234): refusing to use it\n`);
    expect(readdirSync(cacheHome.path('hot'))).toEqual(['.keep']);
  });

  it('answers a config mistake like hot dev does: file, line, exit code 2', async () => {
    const project = session.project();
    project.write('.hotrc.toml', 'delya = 5\n');
    const hot = session.run(project, ['doctor']);
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toContain('.hotrc.toml:1: unknown key "delya", did you mean "delay"?');
  });

  it('warns, at start too, when [serve] owns the port and the app listens on a fixed one', async () => {
    const project = session.project();
    // Never called, so nothing binds port 3000 on a shared machine: the check reads the code.
    project.write('src/server.ts', "import { createServer } from 'node:http';\nexport function start() {\n  createServer((_req, res) => res.end('up')).listen(3000);\n}\n");
    const port = await freePort();
    project.write('.hotrc.toml', `[build]\nentry = "src/server.ts"\n[serve]\nport = ${port}\n`);
    const line = 'the app listens on a fixed port (src/server.ts:3: .listen(3000)), so under [serve] it would clash (EADDRINUSE): hot gives each version its own PORT';
    const hint = 'hint: listen on process.env.PORT, e.g. .listen(Number(process.env.PORT ?? 3000))';
    const doctor = session.run(project, ['doctor']);
    expect((await doctor.interact(exit())).code).toBe(0);
    expect(doctor.output()).toContain(`[hot] warn  ${line}`);
    expect(doctor.output()).toContain(hint);

    const hot = session.run(project, []);
    await hot.interact(output(/\[hot\] watching /));
    expect(hot.count(new RegExp(line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))).toBe(1);
    expect(hot.output()).toContain(hint);

    // Reading PORT is the way out: no warning then.
    project.replace('src/server.ts', '.listen(3000)', '.listen(Number(process.env.PORT ?? 3000))');
    const fixed = session.run(project, ['doctor']);
    await fixed.interact(exit());
    expect(fixed.output()).not.toContain('fixed port');
  });
});
