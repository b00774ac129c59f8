import { describe, expect, it } from 'vitest';
import { freePort, waitForResponse } from '../helpers/http.js';
import { isAlive, waitForNoMarkedProcesses } from '../helpers/processes.js';
import { addApp } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

describe('stopping and restarting the program', () => {
  const session = useSession();

  it('leaves no process of a `sh -c` tree behind after 5 restarts, nor after Ctrl-C', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    // The shell stays as the parent because a command follows node: a real two-process tree.
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "sh -c 'node app.mjs; echo app finished'"\n`);
    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    await waitForResponse(port, (body) => body.startsWith('v1 '));
    await hot.watching();
    expect(hot.liveProcesses()).toBe(3); // hot, sh, node

    for (let version = 2; version <= 6; version++) {
      project.replace('app.mjs', /const VERSION = 'v\d+'/, `const VERSION = 'v${version}'`);
      await waitForResponse(port, (body) => body.startsWith(`v${version} `));
      expect(hot.liveProcesses()).toBe(3);
    }

    hot.signal('SIGINT');
    expect(await hot.exited).toEqual({ code: 130, signal: null });
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });

  it('SIGKILLs a program that ignores SIGTERM once kill_timeout has passed', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nkill_timeout = 500\n');
    const hot = session.run(project, []);
    const first = Number((await hot.waitFor(/ready pid (\d+)/))[1]);
    await hot.watching();
    const before = hot.output().length;

    project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`);
    await hot.waitFor(/ignoring SIGTERM/, { from: before });
    await hot.waitFor(/did not stop within 500 ms of SIGTERM: killed it with SIGKILL/, { from: before });
    const second = Number((await hot.waitFor(/ready pid (\d+)/, { from: before }))[1]);
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);

    hot.signal('SIGTERM');
    expect((await hot.exited).code).toBe(143);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });

  it('kills at once on a second Ctrl-C', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = session.run(project, ['--verbose']);
    await hot.waitFor(/ready pid \d+/);
    hot.signal('SIGINT');
    await hot.waitFor(/SIGINT received, stopping the app/);
    await hot.waitFor(/ignoring SIGTERM/);
    hot.signal('SIGINT');
    expect((await hot.exited).code).toBe(130);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });

  it('backs off a crashing program, opens the circuit, and a change closes it', async () => {
    const project = session.project();
    addApp(project, 'crash-on-start.mjs', 'app.mjs');
    project.write(
      '.hotrc.toml',
      'include = ["app.mjs"]\nbin = "node app.mjs"\n[restart]\nbackoff = { initial = 50, max = 100 }\nmax_restarts = 3\nwindow = 60000\n',
    );
    const hot = session.run(project, []);
    await hot.waitFor(/app exited with code 1: it crashed 4 times in 60\.0 s, waiting for changes/);
    await hot.watching();
    const log = hot.output();
    expect(log).toMatch(/app exited with code 1, restarting in 50 ms \(1\/3\)/);
    expect(log).toMatch(/app exited with code 1, restarting in 100 ms \(2\/3\)/);
    expect(log).toMatch(/app exited with code 1, restarting in 100 ms \(3\/3\)/);
    expect(hot.count(/crashing pid/)).toBe(4);

    const before = hot.output().length;
    project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`);
    await hot.waitFor(/restarting: app\.mjs changed/, { from: before });
    await hot.waitFor(/restarting in 50 ms \(1\/3\)/, { from: before });
    // No start happened between the circuit opening and the change.
    expect(hot.count(/crashing pid/)).toBeGreaterThanOrEqual(5);
    expect(hot.output().slice(0, before).match(/crashing pid/g)).toHaveLength(4);
  });

  it('waits for changes after a clean exit', async () => {
    const project = session.project();
    addApp(project, 'exits-cleanly.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/app exited cleanly, waiting for changes/);
    await hot.watching();
    project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`);
    await hot.waitForCount(/done pid/, 2);
  });

  it('restarts on SIGUSR2 and tells the program what changed', async () => {
    const project = session.project();
    project.write(
      'app.mjs',
      "console.log(`run ${process.env.HOT_RESTART_COUNT} hot=${process.env.HOT} changed=${JSON.stringify(process.env.HOT_CHANGED)}`);\nsetInterval(() => {}, 1000);\n",
    );
    project.write('.hotrc.toml', 'include = ["*.mjs", "src/**"]\nbin = "node app.mjs"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/run 0 hot=1 changed=""/);
    hot.signal('SIGUSR2');
    await hot.waitFor(/restarting: SIGUSR2 received/);
    await hot.waitFor(/run 1 hot=1/);
    await hot.watching();
    project.write('src/a.txt', 'a');
    const match = await hot.waitFor(/run 2 hot=1 changed="([^"]*)"/);
    expect(match[1]).toBe(project.path('src', 'a.txt'));
  });
});

describe('hot killed outright', () => {
  const session = useSession();

  it('leaves no process behind after SIGKILL: a watchdog stops what hot started', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    project.write('.hotrc.toml', `bin = "sh -c 'node app.mjs; echo app finished'"\n`);
    const port = await freePort();
    const hot = session.run(project, [], { PORT: String(port) });
    await waitForResponse(port, (body) => body.startsWith('v1 '));
    expect(hot.liveProcesses()).toBe(3); // hot, sh, node
    hot.signal('SIGKILL');
    await hot.exited;
    expect(await waitForNoMarkedProcesses(hot.marker, 5000)).toBe(0);
  });
});
