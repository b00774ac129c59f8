import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { isAlive } from '../helpers/processes.js';
import { addApp, CLI } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/** No process with hot's marker is left: hot, its program and anything they started are gone. */
const nothingLeft = (hot: HotProcess) => until('no process with the marker is left', () => hot.liveProcesses() === 0);

describe('stopping and restarting the program', () => {
  const session = useSession();

  it('leaves no process of a `sh -c` tree behind after 5 restarts, nor after Ctrl-C', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    // The shell stays as the parent because a command follows node: a real two-process tree.
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "sh -c 'node app.mjs; echo app finished'"\n`);
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^v1 /), watching());
    expect(hot.liveProcesses()).toBe(3); // hot, sh, node

    for (let version = 2; version <= 6; version++) {
      await hot.interact(
        act(`set v${version}`, () => project.replace('app.mjs', /const VERSION = 'v\d+'/, `const VERSION = 'v${version}'`)),
        answer(port, new RegExp(`^v${version} `)),
      );
      expect(hot.liveProcesses()).toBe(3);
    }

    expect(await hot.interact(act('send SIGINT', () => hot.signal('SIGINT')), exit())).toEqual({ code: 130, signal: null });
    await hot.interact(nothingLeft(hot));
  });

  it('SIGKILLs a program that ignores SIGTERM once kill_timeout has passed', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nkill_timeout = 500\n');
    const hot = session.run(project, []);
    const first = Number((await hot.interact(watching(), output(/ready pid (\d+)/)))[1]);
    const second = Number(
      (
        await hot.interact(
          act('edit app.mjs', () => project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`)),
          output(/ignoring SIGTERM/),
          output(/did not stop within 500 ms of SIGTERM: killed it with SIGKILL/),
          output(/ready pid (\d+)/),
        )
      )[1],
    );
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);

    expect((await hot.interact(act('send SIGTERM', () => hot.signal('SIGTERM')), exit())).code).toBe(143);
    await hot.interact(nothingLeft(hot));
  });

  it('kills at once on a second Ctrl-C', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = session.run(project, ['--verbose']);
    const { code } = await hot.interact(
      output(/ready pid \d+/),
      act('send SIGINT', () => hot.signal('SIGINT')),
      output(/SIGINT received, stopping the app/),
      output(/ignoring SIGTERM/),
      act('send SIGINT again', () => hot.signal('SIGINT')),
      exit(),
    );
    expect(code).toBe(130);
    await hot.interact(nothingLeft(hot));
  });

  it('backs off a crashing program, opens the circuit, and a change closes it', async () => {
    const project = session.project();
    addApp(project, 'crash-on-start.mjs', 'app.mjs');
    project.write(
      '.hotrc.toml',
      'include = ["app.mjs"]\nbin = "node app.mjs"\n[restart]\nbackoff = { initial = 50, max = 100 }\nmax_restarts = 3\nwindow = 60000\n',
    );
    const hot = session.run(project, []);
    await hot.interact(output(/app exited with code 1: it crashed 4 times in 60\.0 s, waiting for changes/), watching());
    const log = hot.output();
    expect(log).toMatch(/app exited with code 1, restarting in 50 ms \(1\/3\)/);
    expect(log).toMatch(/app exited with code 1, restarting in 100 ms \(2\/3\)/);
    expect(log).toMatch(/app exited with code 1, restarting in 100 ms \(3\/3\)/);
    expect(hot.count(/crashing pid/)).toBe(4);

    const before = hot.output().length;
    await hot.interact(
      act('edit app.mjs', () => project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`)),
      output(/restarting: app\.mjs changed/),
      output(/restarting in 50 ms \(1\/3\)/),
    );
    // No start happened between the circuit opening and the change.
    expect(hot.count(/crashing pid/)).toBeGreaterThanOrEqual(5);
    expect(hot.output().slice(0, before).match(/crashing pid/g)).toHaveLength(4);
  });

  it('waits for changes after a clean exit', async () => {
    const project = session.project();
    addApp(project, 'exits-cleanly.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n');
    const hot = session.run(project, []);
    await hot.interact(
      output(/app exited cleanly, waiting for changes/),
      watching(),
      act('edit app.mjs', () => project.write('app.mjs', `${project.read('app.mjs')}\n// edited\n`)),
      output(/done pid/),
    );
  });

  it('restarts on SIGUSR2 and tells the program what changed', async () => {
    const project = session.project();
    project.write(
      'app.mjs',
      "console.log(`run ${process.env.HOT_RESTART_COUNT} hot=${process.env.HOT} changed=${JSON.stringify(process.env.HOT_CHANGED)}`);\nsetInterval(() => {}, 1000);\n",
    );
    project.write('.hotrc.toml', 'include = ["*.mjs", "src/**"]\nbin = "node app.mjs"\n');
    const hot = session.run(project, []);
    const match = await hot.interact(
      output(/run 0 hot=1 changed=""/),
      watching(),
      act('send SIGUSR2', () => hot.signal('SIGUSR2')),
      output(/restarting: SIGUSR2 received/),
      output(/run 1 hot=1/),
      act('add src/a.txt', () => project.write('src/a.txt', 'a')),
      output(/run 2 hot=1 changed="([^"]*)"/),
    );
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
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^v1 /));
    expect(hot.liveProcesses()).toBe(3); // hot, sh, node
    await hot.interact(act('send SIGKILL', () => hot.signal('SIGKILL')), exit(), nothingLeft(hot));
  });
});

describe("hot's own start", () => {
  const session = useSession();

  it('runs through a corrupt code cache, and replaces it with a good one', async () => {
    const bundle = path.join(path.dirname(CLI), 'hot.cjs');
    const { size, mtimeMs, ctimeMs, ino } = statSync(bundle);
    const cacheFile = path.join(path.dirname(bundle), `.hot.cjs-${process.version}-${process.arch}-${size}-${Math.floor(mtimeMs)}-${Math.floor(ctimeMs)}-${ino}.cache`);
    // Bytes V8 would trust: a cache of the right length whose checksum does not match is never handed to it.
    const garbage = Buffer.alloc(64 * 1024, 7);
    writeFileSync(cacheFile, garbage);
    session.onCleanup(() => {
      if (existsSync(cacheFile) && readFileSync(cacheFile).equals(garbage)) rmSync(cacheFile);
    });
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    const port = await freePort();
    const hot = session.run(project, ['--', 'node', 'app.mjs'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^v1 /), until('the cache holds compiled code again', () => existsSync(cacheFile) && !readFileSync(cacheFile).equals(garbage)));
    expect(hot.output()).not.toMatch(/Error|cache/i);

    // Bytes damaged inside a good cache: V8 would trust them (and crash); hot does not hand them over.
    const good = readFileSync(cacheFile);
    const damaged = Buffer.from(good);
    for (let i = Math.floor(damaged.length / 2); i < Math.floor(damaged.length / 2) + 4096; i++) damaged[i]! ^= 0x5a;
    writeFileSync(cacheFile, damaged);
    session.onCleanup(() => {
      if (existsSync(cacheFile) && readFileSync(cacheFile).equals(damaged)) writeFileSync(cacheFile, good);
    });
    expect(execFileSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' })).toMatch(/^hot\/\d+\.\d+\.\d+ /);
  });
});
