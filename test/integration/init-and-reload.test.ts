import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, get, waitForResponse } from '../helpers/http.js';
import { addApp } from '../helpers/project.js';
import { startHttpApp, useSession } from '../helpers/session.js';

describe('hot init and config changes', () => {
  const session = useSession();

  it('writes a working .hotrc.toml, and refuses to overwrite it', async () => {
    const project = session.project('esbuild-basic');
    rmSync(project.path('.hotrc.toml'));

    const init = session.run(project, ['init']);
    expect((await init.exited).code).toBe(0);
    expect(init.output()).toContain('wrote .hotrc.toml (build.entry = "src/server.ts")');
    const written = project.read('.hotrc.toml');
    expect(written).toMatch(/^entry = "src\/server\.ts"$/m);

    const again = session.run(project, ['init']);
    expect((await again.exited).code).toBe(2);
    expect(again.output()).toContain('.hotrc.toml already exists here, not overwriting it');
    expect(project.read('.hotrc.toml')).toBe(written);

    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    await waitForResponse(port, (body) => body.includes('"version":"v1"'));
    await hot.watching();
    project.replace('src/version.ts', "'v1'", "'v2'");
    await waitForResponse(port, (body) => body.includes('"version":"v2"'));
    expect(hot.output()).toContain('restarting: src/version.ts changed');
  });

  it('applies an edited config, and keeps the last good one through a broken edit', async () => {
    const { hot, project, port } = await startHttpApp(session);

    const before = hot.output().length;
    project.write('.hotrc.toml', `include = ["app.mjs"\nbin = "node app.mjs"\n`);
    await hot.waitFor(/\.hotrc\.toml:2:1: invalid TOML/, { from: before });
    await hot.waitFor(/config not applied: still running with the previous one/, { from: before });
    expect((await get(port)).startsWith('v1 ')).toBe(true);

    const port2 = await freePort();
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "${port2}" }\n`);
    await hot.waitFor(/restarting: \.hotrc\.toml changed/, { from: before });
    await waitForResponse(port2, (body) => body.startsWith('v1 '));
  });

  it('restarts a command given after -- when a file in the cwd changes', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'server.mjs');
    const port = await freePort();
    const hot = session.run(project, ['--', 'node', 'server.mjs'], { PORT: String(port) });
    await waitForResponse(port, (body) => body.startsWith('v1 '));
    await hot.watching();
    project.replace('server.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'");
    await waitForResponse(port, (body) => body.startsWith('v2 '));
    expect(hot.output()).toContain('restarting: server.mjs changed');
  });

  it('keeps the running program when a config change comes with a broken build', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    const { pid } = JSON.parse(await waitForResponse(port, (body) => body.includes('"version":"v1"'))) as { pid: number };
    await hot.watching();
    project.replace('.hotrc.toml', 'NODE_ENV = "development"', 'NODE_ENV = "test"');
    project.write('src/version.ts', 'export const VERSION: string = = 2;\n');
    await hot.waitFor(/build failed in \d+ ms, keeping the previous process running/);
    expect(JSON.parse(await get(port)).pid).toBe(pid);
    project.write('src/version.ts', "export const VERSION: string = 'v2';\n");
    await waitForResponse(port, (body) => body.includes('"version":"v2"'));
  });

  it('still applies source changes saved together with a broken config edit', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    await waitForResponse(port, (body) => body.includes('"version":"v1"'));
    await hot.watching();
    project.write('.hotrc.toml', `${project.read('.hotrc.toml')}\ndelya = 3\n`);
    project.replace('src/version.ts', "'v1'", "'v2'");
    await hot.waitFor(/unknown key "run.delya"/);
    await waitForResponse(port, (body) => body.includes('"version":"v2"'));
  });
});
