import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { get } from '../helpers/http.js';
import { act, exit, output, until, watching } from '../helpers/interact.js';
import { isAlive } from '../helpers/processes.js';
import { linkWorkspacePackages, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/**
 * fixtures/projects/monorepo: `shared` (a library built by a command), `api` (HTTP, depends on shared),
 * `worker` (esbuild bundle that takes shared in) and `web` (HTTP, depends on nothing).
 */
const session = useSession();
let project: TempProject;

/** A fresh copy of the monorepo fixture, as after `npm install`; `change` edits it before the install. */
function monorepo(change: (project: TempProject) => void = () => {}): TempProject {
  project = session.project('monorepo');
  change(project);
  linkWorkspacePackages(project);
  return project;
}

function startMonorepo(args: string[] = []): HotProcess {
  return session.run(monorepo(), ['dev', ...args]);
}

/** The pid a package's program printed in its latest ready line, and its port when it has one. */
function latest(hotProcess: HotProcess, name: 'api' | 'web' | 'worker'): { pid: number; port: number | null; says: string | null } {
  const pattern = new RegExp(`^${name}\\s+│ ${name} (?:ready on (\\d+)|started)(?: says (\\w+))? pid (\\d+)`, 'gm');
  const match = [...hotProcess.output().matchAll(pattern)].at(-1);
  if (!match) throw new Error(`${name} has not printed its ready line\n${hotProcess.output()}`);
  return { port: match[1] ? Number(match[1]) : null, says: match[2] ?? null, pid: Number(match[3]) };
}

const readyLine = (name: string, extra = ''): RegExp => new RegExp(`^${name}\\s+│ ${name} (?:ready on \\d+|started)${extra}`, 'gm');

/** Every package with a program has printed its ready line (since the last act). */
const allReady = () => ['api', 'web', 'worker'].map((name) => output(readyLine(name)));

async function allStarted(hotProcess: HotProcess): Promise<void> {
  await hotProcess.interact(watching(), ...allReady());
}

describe('hot dev at a workspace root', () => {
  it('runs every package with a config after the libraries they depend on, behind one summary line', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    const output = hotProcess.output();
    expect(output).toMatch(/^\[hot\] watching 4 packages: api, shared, web, worker \(\d+ files\)$/m);
    expect(output.indexOf('shared │ [hot] built')).toBeGreaterThan(-1);
    // The bundle and the library's dist/ exist only once shared was built: both start after it.
    expect(output.indexOf('shared │ [hot] built')).toBeLessThan(output.indexOf('api    │ [hot] started'));
    expect(output.indexOf('shared │ [hot] built')).toBeLessThan(output.indexOf('worker │ [hot] started'));
    expect(await get(latest(hotProcess, 'api').port!)).toBe('api says hello\n');
    expect(latest(hotProcess, 'worker').says).toBe('hello');
  });

  it('a change in shared rebuilds it, then restarts api and worker but not web', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    const before = { api: latest(hotProcess, 'api'), web: latest(hotProcess, 'web'), worker: latest(hotProcess, 'worker') };
    await hotProcess.interact(
      act('edit shared', () => project.replace('packages/shared/src/index.js', "'hello'", "'bonjour'")),
      output(/^api\s+│ api ready on \d+ says bonjour/m),
      output(/^worker │ worker started says bonjour/m),
    );
    const after = hotProcess.sinceMark();
    expect(after).toMatch(/^shared │ \[hot\] packages\/shared\/src\/index\.js changed, rebuilt/m);
    expect(after).toMatch(/^api    │ \[hot\] restarting: shared changed \(packages\/shared\/src\/index\.js\)/m);
    expect(after).toMatch(/^worker │ \[hot\] restarting: shared changed \(packages\/shared\/src\/index\.js\)/m);
    // shared is rebuilt before its dependents restart.
    expect(after.indexOf('shared │ [hot]')).toBeLessThan(after.indexOf('api    │ [hot] restarting'));
    expect(await get(latest(hotProcess, 'api').port!)).toBe('api says bonjour\n');
    expect(latest(hotProcess, 'api').pid).not.toBe(before.api.pid);
    expect(latest(hotProcess, 'worker').pid).not.toBe(before.worker.pid);
    // web depends on nothing: same process, no line about it.
    expect(after).not.toMatch(/^web/m);
    expect(await get(before.web.port!)).toBe('web v1\n');
    expect(latest(hotProcess, 'web').pid).toBe(before.web.pid);
  });

  it('after a failed build, a package is not rebuilt by saves in other packages', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    const failed = /^worker\s+│ \[hot\] build failed/gm;
    await hotProcess.interact(
      act('break worker', () => project.replace('packages/worker/src/worker.ts', 'const label: string', 'const label: string =')),
      output(failed),
      // A save in web restarts web; before the fix it also rebuilt worker (any source file counted).
      act('add a file to web', () => project.write('packages/web/src/extra.js', 'export const extra = 1;\n')),
      output(/^web\s+│ \[hot\] restarting: packages\/web\/src\/extra\.js changed/m),
      act('fix worker', () => project.replace('packages/worker/src/worker.ts', 'const label: string =', 'const label: string')),
      // The fixed file is the original again: its bundle is unchanged, so no restart is needed.
      output(/^worker\s+│ \[hot\] packages\/worker\/src\/worker\.ts changed, output unchanged/m),
    );
    expect(hotProcess.output().match(failed)).toHaveLength(1);
  });

  it('a change in web restarts only web', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    const before = { api: latest(hotProcess, 'api'), worker: latest(hotProcess, 'worker') };
    await hotProcess.interact(
      act('edit web', () => project.replace('packages/web/src/server.js', 'web v1', 'web v2')),
      output(/^web\s+│ \[hot\] restarting: packages\/web\/src\/server\.js changed/m),
      output(/^web\s+│ web ready on \d+/m),
    );
    expect(await get(latest(hotProcess, 'web').port!)).toBe('web v2\n');
    expect(hotProcess.sinceMark()).not.toMatch(/^(api|worker|shared)/m);
    expect(latest(hotProcess, 'api').pid).toBe(before.api.pid);
    expect(latest(hotProcess, 'worker').pid).toBe(before.worker.pid);
  });

  it('a crash loop in worker trips its own circuit breaker while api keeps serving', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    const api = latest(hotProcess, 'api');
    await hotProcess.interact(
      act('make worker throw', () => project.replace('packages/worker/src/worker.ts', 'console.log(label);', "console.log(label);\nthrow new Error('worker is broken');")),
      // max_restarts = 3 comes from the root .hotrc.toml, which every package extends.
      output(/^worker │ \[hot\] app exited with code 1, restarting in \d+ ms \(1\/3\)/m),
      output(/^worker │ \[hot\] app exited with code 1: it crashed 4 times in 30(?:\.0)? s, waiting for changes/m),
    );
    expect(await get(api.port!)).toBe('api says hello\n');
    expect(latest(hotProcess, 'api').pid).toBe(api.pid);
    expect(hotProcess.output()).not.toMatch(/^api    │ \[hot\] restarting/m);
  });

  it('--filter api runs api and builds the shared library it depends on, nothing else', async () => {
    const hotProcess = startMonorepo(['--filter', 'api']);
    await hotProcess.interact(watching(), output(readyLine('api')));
    const output0 = hotProcess.output();
    expect(output0).toMatch(/^\[hot\] watching 2 packages: api, shared /m);
    expect(output0).toMatch(/^shared │ \[hot\] built/m);
    expect(output0).not.toMatch(/^(web|worker)/m);
    await hotProcess.interact(
      act('edit shared', () => project.replace('packages/shared/src/index.js', "'hello'", "'hola'")),
      output(/^api\s+│ api ready on \d+ says hola/m),
    );
    // hot and api are the only processes: shared has nothing to run, web and worker were not started.
    expect(hotProcess.liveProcesses()).toBe(2);
    const { code } = await hotProcess.interact(act('send SIGINT', () => hotProcess.signal('SIGINT')), exit());
    expect(code).toBe(130);
  });

  it('Ctrl-C stops every package and leaves no process behind', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    expect(hotProcess.liveProcesses()).toBeGreaterThanOrEqual(4);
    const { code } = await hotProcess.interact(act('send SIGINT', () => hotProcess.signal('SIGINT')), exit());
    expect(code).toBe(130);
    await hotProcess.interact(until('no process with the marker is left', () => hotProcess.liveProcesses() === 0));
  });

  it('an unknown --filter is a clear error that lists the packages', async () => {
    const hotProcess = startMonorepo(['--filter', 'apii']);
    const { code } = await hotProcess.interact(exit());
    expect(code).toBe(2);
    expect(hotProcess.output()).toContain('--filter apii: no workspace package is called that; found: api, shared, web, worker');
    expect(hotProcess.output()).not.toMatch(/\n\s+at /);
  });

  it('a package.json that does not parse is named with its line, and the rest of the repository runs', async () => {
    // Broken after `npm install` linked the packages.
    monorepo().write('packages/web/package.json', '{\n  "name": "web",\n  "private": true,\n}\n');
    const hot = session.run(project, ['dev']);
    await hot.interact(watching(), output(readyLine('api')));
    expect(hot.output()).toMatch(/^\[hot\] packages\/web\/package\.json:4:1: invalid JSON: .*; this package is left out$/m);
    expect(hot.output()).toMatch(/watching 3 packages: api, shared, worker/);
  });

  it('two packages with one name and a dependency cycle are reported by file', async () => {
    const hot = session.run(
      monorepo((copy) => {
        copy.write('packages/web2/package.json', JSON.stringify({ name: 'web', private: true }));
        copy.replace('packages/shared/package.json', '"private": true,', '"private": true,\n  "dependencies": { "api": "*" },');
      }),
      ['dev'],
    );
    await hot.interact(watching(), output(readyLine('api')));
    expect(hot.output()).toContain('[hot] two packages are named "web" (packages/web/package.json and packages/web2/package.json): both are left out until one is renamed');
    expect(hot.output()).toMatch(/dependency cycle: api → shared → api \(packages\/api\/package\.json, packages\/shared\/package\.json\)/);
    expect(hot.output()).toMatch(/watching 3 packages: api, shared, worker/);
  });

  it('a restart request or a root config edit restarts each package once, not again through its dependencies', async () => {
    const hotProcess = startMonorepo();
    await allStarted(hotProcess);
    let from = hotProcess.output().length;
    await hotProcess.interact(
      act('send SIGUSR2', () => hotProcess.signal('SIGUSR2')),
      ...allReady(),
      output(/^shared │ \[hot\] SIGUSR2 received, rebuilt/m),
      // Something observable after the wave would have happened: web restarts on its own edit.
      act('edit web', () => project.replace('packages/web/src/server.js', 'web v1', 'web v2')),
      output(/^web\s+│ \[hot\] restarting: packages\/web/m),
    );
    let after = hotProcess.output().slice(from);
    expect(after.match(/^api    │ \[hot\] restarting/gm), after).toHaveLength(1);

    from = hotProcess.output().length;
    await hotProcess.interact(
      act('edit the root config', () => project.replace('.hotrc.toml', 'NODE_ENV = "development"', 'NODE_ENV = "test"')),
      ...allReady(),
      output(/^shared │ \[hot\] \.hotrc\.toml changed, rebuilt/m),
      act('edit web', () => project.replace('packages/web/src/server.js', 'web v2', 'web v3')),
      output(/^web\s+│ \[hot\] restarting: packages\/web/m),
    );
    after = hotProcess.output().slice(from);
    expect(after.match(/^api    │ \[hot\] restarting/gm), after).toHaveLength(1);
    expect(after).toMatch(/^api    │ \[hot\] restarting: \.hotrc\.toml changed/m);
  });

  it("watches a package's env file even when the root .gitignore ignores it", async () => {
    const hot = session.run(
      monorepo((copy) => {
        copy.write('.gitignore', '.env\nnode_modules\n');
        copy.write('packages/web/.env', 'GREETING=one\n');
        copy.write('packages/web/.hotrc.toml', 'include = ["src/**/*.js"]\nbin = "node src/server.js"\n[run]\nenv_file = ".env"\n');
      }),
      ['dev', '--filter', 'web'],
    );
    await hot.interact(
      watching(),
      output(readyLine('web')),
      act('edit packages/web/.env', () => project.write('packages/web/.env', 'GREETING=two\n')),
      output(/^web\s+│ \[hot\] restarting: packages\/web\/\.env changed/m),
    );
  });

  it("restarts a package when the root tsconfig its own extends changes, and only that package", async () => {
    const hot = session.run(
      monorepo((copy) => {
        copy.write('tsconfig.base.json', '{ "compilerOptions": { "strict": true } }\n');
        copy.write('packages/web/tsconfig.json', '{ "extends": "../../tsconfig.base.json" }\n');
      }),
      ['dev'],
    );
    await allStarted(hot);
    await hot.interact(
      act('edit tsconfig.base.json', () => project.write('tsconfig.base.json', '{ "compilerOptions": { "strict": false } }\n')),
      output(/^web\s+│ \[hot\] restarting: tsconfig\.base\.json changed/m),
      output(readyLine('web')),
    );
    expect(hot.sinceMark()).not.toMatch(/^(api|worker|shared)\s+│ \[hot\] restarting/m);
  });

  it('starts a package added while it runs, watches it, and stops it when it goes, without a restart of hot', async () => {
    const hot = startMonorepo();
    await allStarted(hot);
    const web = latest(hot, 'web').pid;
    await hot.interact(
      act('add packages/extra with a .hotrc.toml', () => {
        project.write('packages/extra/package.json', '{ "name": "extra", "private": true, "type": "module" }\n');
        project.write('packages/extra/src/server.js', project.read('packages/web/src/server.js').replace('web v1', 'extra v1').replace('web ready', 'extra ready'));
        project.write('packages/extra/.hotrc.toml', 'include = ["src/**/*.js"]\nbin = "node src/server.js"\n');
      }),
      output(/new package extra \(packages\/extra\): starting it/),
      output(/^extra\s+│ extra ready on (\d+)/m),
    );
    const port = Number(/^extra\s+│ extra ready on (\d+)/m.exec(hot.output())![1]);
    expect(await get(port)).toBe('extra v1\n');
    await hot.interact(
      act('edit it', () => project.replace('packages/extra/src/server.js', 'extra v1', 'extra v2')),
      output(/^extra\s+│ \[hot\] restarting: packages\/extra\/src\/server\.js changed/m),
      output(/^extra\s+│ extra ready on \d+/m),
    );
    const extraPid = Number([...hot.output().matchAll(/^extra\s+│ extra ready on \d+ pid (\d+)/gm)].at(-1)![1]);
    await hot.interact(
      act('remove packages/extra', () => rmSync(project.path('packages/extra'), { recursive: true })),
      output(/extra is no longer a package with a \.hotrc\.toml here: stopping it/),
      until('its program is gone', () => !isAlive(extraPid)),
    );
    expect(latest(hot, 'web').pid).toBe(web);
  });

  it('a root .hotrc.toml that runs a program makes the root the app, as without packages', async () => {
    const hot = session.run(
      monorepo((copy) => {
        copy.write('server.mjs', "console.log('root app up'); setInterval(() => {}, 1 << 30);\n");
        copy.write('.hotrc.toml', 'include = ["*.mjs"]\nbin = "node server.mjs"\n');
      }),
      ['dev'],
    );
    await hot.interact(watching(), output(/^root app up$/m));
    expect(hot.output()).toMatch(/^\[hot\] watching \. \(/m);
    expect(hot.output()).not.toMatch(/│/);
  });
});
