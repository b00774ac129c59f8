import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import { isAlive } from '../helpers/processes.js';
import { addApp } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const version = (name: string) => (body: string) => body.includes(`"version":"${name}"`);

describe('[run] options', () => {
  const session = useSession();

  it('loads env files for the program and restarts it when one is edited', async () => {
    const project = session.project();
    project.write('app.mjs', 'console.log(`greeting=${process.env.GREETING} mode=${process.env.MODE}`);\nsetInterval(() => {}, 1000);\n');
    project.write('.env', 'GREETING=hello\nMODE=from-file\n');
    // Only app.mjs is included: the env file restarts the program because it is an env file.
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv_file = ".env"\nenv = { MODE = "from-config" }\n');
    const hot = session.run(project, []);
    await hot.interact(
      output(/greeting=hello mode=from-config/),
      watching(),
      act('edit .env', () => project.write('.env', 'GREETING=bonjour\n')),
      output(/restarting: \.env changed/),
      output(/greeting=bonjour mode=from-config/),
    );
  });

  it('restarts for an edited env file even when the bundle is unchanged', async () => {
    const project = session.project('esbuild-basic');
    const port = await freePort();
    project.write('.env', `PORT=${port}\n`);
    project.write('.hotrc.toml', `${project.read('.hotrc.toml')}env_file = ".env"\n`);
    const hot = session.run(project, []);
    await hot.interact(answer(port, version('v1')), watching());
    const port2 = await freePort();
    await hot.interact(act('move PORT in .env', () => project.write('.env', `PORT=${port2}\n`)), output(/restarting: \.env changed/), answer(port2, version('v1')));
  });

  it('stops the program on a failed build with stop_on_error, and starts it again once fixed', async () => {
    const project = session.project('esbuild-basic');
    project.write('.hotrc.toml', `${project.read('.hotrc.toml')}stop_on_error = true\n`);
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    const { pid } = JSON.parse(await hot.interact(answer(port, version('v1')))) as { pid: number };
    await hot.interact(
      watching(),
      act('break the build', () => project.write('src/version.ts', 'export const VERSION: string = = 1;\n')),
      output(/build failed in \d+ ms, stopping the app \(stop_on_error\), waiting for changes/),
      until(`the app (pid ${pid}) has exited`, () => !isAlive(pid)),
      act('fix the build', () => project.write('src/version.ts', "export const VERSION: string = 'back';\n")),
      answer(port, version('back')),
    );
  });

  it('says clearly when the command does not exist, and keeps watching', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "no-such-command-xyz --port 3"\n');
    const hot = session.run(project, []);
    await hot.interact(output(/cannot start no-such-command-xyz: command not found, waiting for changes/), watching());
    expect(hot.output()).not.toMatch(/^\s+at /m);
    // Fixing the config brings the program up without restarting hot.
    const port = await freePort();
    await hot.interact(
      act('fix bin', () => project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "${port}" }\n`)),
      answer(port, /^v1 /),
    );
  });

  it('runs a shell command line with a working directory and arguments', async () => {
    const project = session.project();
    project.write('sub/app.mjs', 'console.log(`cwd=${process.cwd().endsWith("sub")} args=${process.argv.slice(2).join(",")} shell=${process.env.VIA}`);\n');
    project.write('.hotrc.toml', 'include = ["sub/*.mjs"]\nbin = "VIA=sh node app.mjs"\n[run]\ncwd = "sub"\nargs = ["a b", "$HOME"]\n');
    const hot = session.run(project, []);
    await hot.interact(output(/cwd=true args=a b,\$HOME shell=sh/), output(/app exited cleanly, waiting for changes/));
  });
});
