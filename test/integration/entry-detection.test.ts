import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output } from '../helpers/interact.js';
import { linkWorkspacePackages } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/**
 * fixtures/projects/exports-app: src/index.ts only exports an HTTP app, src/server.ts starts it, and
 * package.json's dev script runs `tsx watch src/server.ts`. No .hotrc.toml anywhere.
 */
describe('hot finds the entry', () => {
  const session = useSession();

  it('runs what package.json scripts.dev runs, says so, and restarts it on an edit', async () => {
    const project = session.project('exports-app');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(
      output(/running src\/server\.ts \(from package\.json scripts\.dev: "tsx watch src\/server\.ts"\)/),
      answer(port, /^v1\n$/),
      act('set v2', () => project.replace('src/message.ts', "'v1'", "'v2'")),
      answer(port, /^v2\n$/),
    );
  });

  it('without scripts nor main, picks the file that calls listen() over the one that exports the app', async () => {
    const project = session.project('exports-app');
    project.write('package.json', JSON.stringify({ name: 'exports-app', private: true, type: 'module', main: 'src/index.ts' }));
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(output(/running src\/server\.ts \(from a common entry name: it calls listen\(\), src\/index\.ts does not\)/), answer(port, /^v1\n$/));
  });

  it('hints at the file that listens when the entry given exits cleanly without listening', async () => {
    const project = session.project('exports-app');
    const hot = session.run(project, ['src/index.ts']);
    await hot.interact(output(/app exited cleanly, waiting for changes/), output(/hint: src\/index\.ts never calls listen\(\); src\/server\.ts does: run `hot src\/server\.ts`/));
  });

  it('hot doctor warns when the entry never calls listen() and another candidate does', async () => {
    const project = session.project('exports-app');
    project.write('.hotrc.toml', '[build]\nentry = "src/index.ts"\n');
    const doctor = session.run(project, ['doctor']);
    expect((await doctor.interact(exit())).code).toBe(0);
    expect(doctor.output()).toMatch(/^\[hot\] warn {2}the entry never calls listen\(\): it may only export the app$/m);
    expect(doctor.output()).toContain('hint: src/index.ts never calls listen(); src/server.ts does: run `hot src/server.ts`');
  });

  it('lists where it looked when it finds nothing', async () => {
    const project = session.project();
    const hot = session.run(project, []);
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toMatch(/nothing to run; looked for an entry in package\.json scripts dev, start, serve and main; src\/main, src\/server/);
  });

  it('hot init writes the entry it detected and says why', async () => {
    const project = session.project('exports-app');
    const init = session.run(project, ['init']);
    expect((await init.interact(exit())).code).toBe(0);
    expect(init.output()).toContain('wrote .hotrc.toml (build.entry = "src/server.ts", from package.json scripts.dev: "tsx watch src/server.ts")');
    expect(project.read('.hotrc.toml')).toMatch(/^entry = "src\/server\.ts"$/m);
  });
});

describe('hot init at a workspace root', () => {
  const session = useSession();

  it('writes a config into each package that runs, leaves the root alone, and hot then runs the workspace', async () => {
    const project = session.project('monorepo');
    for (const name of ['api', 'web', 'worker']) rmSync(project.path(`packages/${name}/.hotrc.toml`));
    linkWorkspacePackages(project);
    const root = project.read('.hotrc.toml');

    const init = session.run(project, ['init']);
    expect((await init.interact(exit())).code).toBe(0);
    const said = init.output();
    expect(said).toContain('wrote packages/api/.hotrc.toml (build.entry = "src/server.js", from a common entry name)');
    expect(said).toContain('wrote packages/web/.hotrc.toml (build.entry = "src/server.js", from a common entry name)');
    expect(said).toContain('packages/worker: no entry that starts a program');
    expect(said).toContain('packages/shared: has a .hotrc.toml already');
    expect(project.read('.hotrc.toml')).toBe(root);

    const hot = session.run(project, ['dev']);
    const ready = await hot.interact(output(/^\[hot\] watching 3 packages: api, shared, web/m), output(/^api\s+│ api ready on (\d+)/m));
    expect(await get(Number(ready[1]))).toBe('api says hello\n');
  });

  it('bare hot (and doctor) at a root whose packages have no config say to run hot init there', async () => {
    const project = session.project('monorepo');
    for (const name of ['api', 'shared', 'web', 'worker']) rmSync(project.path(`packages/${name}/.hotrc.toml`));
    const hot = session.run(project, []);
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toContain('this is a workspace root, and no package in it has a .hotrc.toml: nothing to run');
    expect(hot.output()).toContain('hint: run `hot init` here');
    const doctor = session.run(project, ['doctor']);
    expect((await doctor.interact(exit())).code).toBe(2);
    expect(doctor.output()).toContain('this is a workspace root, and no package in it has a .hotrc.toml: nothing to run');
  });
});
