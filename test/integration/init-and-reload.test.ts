import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, watching } from '../helpers/interact.js';
import { addApp } from '../helpers/project.js';
import { startHttpApp, useSession } from '../helpers/session.js';

const version = (name: string) => (body: string) => body.includes(`"version":"${name}"`);

describe('hot init and config changes', () => {
  const session = useSession();

  it('writes a working .hotrc.toml that keeps the .env bare hot loads, and refuses to overwrite it', async () => {
    const project = session.project('esbuild-basic');
    rmSync(project.path('.hotrc.toml'));
    const port = await freePort();
    project.write('.env', `PORT=${port}\n`);

    const init = session.run(project, ['init']);
    expect((await init.interact(exit())).code).toBe(0);
    expect(init.output()).toContain('wrote .hotrc.toml (build.entry = "src/server.ts", from a common entry name)');
    expect(init.output()).toContain('run.env_file = [".env"]');
    const written = project.read('.hotrc.toml');
    expect(written).toMatch(/^entry = "src\/server\.ts"$/m);
    expect(written).toMatch(/^env_file = \[ "\.env" \]/m);

    const again = session.run(project, ['init']);
    expect((await again.interact(exit())).code).toBe(2);
    expect(again.output()).toContain('.hotrc.toml already exists here, not overwriting it');
    expect(project.read('.hotrc.toml')).toBe(written);

    // The port comes from .env alone: the config hot init wrote loads it, and an edit to it restarts.
    const hot = session.run(project, [], { env: { PORT: undefined } });
    const next = await freePort();
    await hot.interact(
      answer(port, version('v1')),
      watching(),
      act('set v2', () => project.replace('src/version.ts', "'v1'", "'v2'")),
      output(/restarting: src\/version\.ts changed/),
      answer(port, version('v2')),
      act('move the port in .env', () => project.write('.env', `PORT=${next}\n`)),
      output(/restarting: \.env changed/),
      answer(next, version('v2')),
    );
  });

  it('applies an edited config, and keeps the last good one through a broken edit', async () => {
    const { hot, project, port } = await startHttpApp(session);
    await hot.interact(
      act('break the TOML', () => project.write('.hotrc.toml', `include = ["app.mjs"\nbin = "node app.mjs"\n`)),
      output(/\.hotrc\.toml:2:1: invalid TOML/),
      output(/config not applied: still running with the previous one/),
    );
    expect((await get(port)).startsWith('v1 ')).toBe(true);

    const port2 = await freePort();
    await hot.interact(
      act('fix it with another port', () => project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "${port2}" }\n`)),
      output(/restarting: \.hotrc\.toml changed/),
      answer(port2, /^v1 /),
    );
  });

  it('restarts a command given after -- when a file in the cwd changes', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'server.mjs');
    const port = await freePort();
    const hot = session.run(project, ['--', 'node', 'server.mjs'], { env: { PORT: String(port) } });
    await hot.interact(
      answer(port, /^v1 /),
      watching(),
      act('set v2', () => project.replace('server.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      output(/restarting: server\.mjs changed/),
      answer(port, /^v2 /),
    );
  });

  it('keeps the running program when a config change comes with a broken build', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    const { pid } = JSON.parse(await hot.interact(answer(port, version('v1')))) as { pid: number };
    await hot.interact(
      watching(),
      act('edit the config and break the build', () => {
        project.replace('.hotrc.toml', 'NODE_ENV = "development"', 'NODE_ENV = "test"');
        project.write('src/version.ts', 'export const VERSION: string = = 2;\n');
      }),
      output(/build failed in \d+ ms, keeping the previous process running/),
    );
    expect(JSON.parse(await get(port)).pid).toBe(pid);
    await hot.interact(act('fix the build', () => project.write('src/version.ts', "export const VERSION: string = 'v2';\n")), answer(port, version('v2')));
  });

  it('still applies source changes saved together with a broken config edit', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(
      answer(port, version('v1')),
      watching(),
      act('break the config and set v2', () => {
        project.write('.hotrc.toml', `${project.read('.hotrc.toml')}\ndelya = 3\n`);
        project.replace('src/version.ts', "'v1'", "'v2'");
      }),
      output(/unknown key "run.delya"/),
      answer(port, version('v2')),
    );
  });
});
