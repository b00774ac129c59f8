import { chmodSync, existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { get, waitForResponse } from '../helpers/http.js';
import { linkWorkspacePackages } from '../helpers/project.js';
import { startHttpApp, useSession } from '../helpers/session.js';

describe('faults hot keeps its footing through', () => {
  const session = useSession();

  it('never passes a file name to a shell: $(touch pwned).txt is harmless', async () => {
    const project = session.project();
    project.write('app.mjs', 'console.log(`changed=${JSON.stringify(process.env.HOT_CHANGED)}`);\nsetInterval(() => {}, 1000);\n');
    // Both the build command and bin are shell lines, so a name that reached them would run.
    project.write('.hotrc.toml', 'include = ["data/**"]\nbin = "node app.mjs && true"\n[build]\ncmd = "echo building >/dev/null && true"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/changed=""/);
    await hot.watching();
    project.write('data/$(touch pwned).txt', 'x');
    project.write('data/`touch pwned2`.txt', 'x');
    await hot.waitFor(/changed=".*\$\(touch pwned\)\.txt/);
    expect(existsSync(project.path('pwned'))).toBe(false);
    expect(existsSync(project.path('data', 'pwned'))).toBe(false);
    expect(existsSync(project.path('pwned2'))).toBe(false);
  });

  it('runs out of inotify watches: says so with the limit and the fix, then polls and misses no change', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app v1');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    // HOT_TEST_ENOSPC makes the watcher report ENOSPC after its scan, as chokidar does at the limit.
    const hot = session.run(project, [], { HOT_TEST_ENOSPC: '1' });
    await hot.waitFor(/out of inotify watches \(the limit is \d+\): switching to polling so no change is missed/);
    expect(hot.output()).toMatch(/hint: raise the limit with `sudo sysctl fs\.inotify\.max_user_watches=524288`/);
    await hot.waitFor(/watching \. \(\d+ files?, polling every 300 ms; build: no build\)/);
    expect(hot.count(/out of inotify watches/)).toBe(1);
    project.write('app.mjs', "console.log('app v2');\nsetInterval(() => {}, 1000);\n");
    await hot.waitFor(/restarting: app\.mjs changed/);
    await hot.waitFor(/^app v2$/m);
    expect(hot.count(/restarting:/)).toBe(1);
  });

  it('runs out of inotify watches for some files: polls just those, and their changes still restart', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app v1');\nsetInterval(() => {}, 1000);\n");
    project.write('other.js', '// watched by events\n');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    // app.mjs stands for a file inotify could not take: it is no longer watched by events at all.
    const hot = session.run(project, ['--verbose'], { HOT_TEST_ENOSPC: 'app.mjs' });
    await hot.waitFor(/out of inotify watches \(the limit is \d+\): polling what it could not watch \(every 300 ms\) so no change is missed/);
    await hot.waitFor(/polling 1 more path that inotify could not watch/);
    expect(hot.output()).not.toMatch(/polling every 300 ms; build/);
    const before = hot.output().length;
    project.write('app.mjs', "console.log('app v2');\nsetInterval(() => {}, 1000);\n");
    await hot.waitFor(/restarting: app\.mjs changed/, { from: before });
    await hot.waitFor(/^app v2$/m, { from: before });
    // The rest still has its events (no polling delay needed), and nothing restarts twice.
    const second = hot.output().length;
    project.write('other.js', '// edited\n');
    await hot.waitFor(/restarting: other\.js changed/, { from: second });
    expect(hot.count(/restarting:/)).toBe(2);
  });

  it('runs out of inotify watches in a monorepo: the one shared watcher polls from then on', async () => {
    const project = session.project('monorepo');
    linkWorkspacePackages(project);
    const hot = session.run(project, ['dev', '--filter', 'web'], { HOT_TEST_ENOSPC: '1' });
    await hot.waitFor(/out of inotify watches/);
    await hot.waitFor(/^web\s+│ web ready on \d+/m);
    await hot.waitFor(/^\[hot\] watching \d+ files by polling every 300 ms$/m);
    const from = hot.output().length;
    project.replace('packages/web/src/server.js', 'web v1', 'web v2');
    await hot.waitFor(/^web\s+│ \[hot\] restarting: packages\/web\/src\/server\.js changed/m, { from });
    expect(hot.count(/out of inotify watches/)).toBe(1);
  });

  it('keeps running with the last config when the config file is deleted', async () => {
    const { hot, project, port } = await startHttpApp(session);
    rmSync(project.path('.hotrc.toml'));
    await hot.waitFor(/config not applied: still running with the previous one/);
    expect((await get(port)).startsWith('v1 ')).toBe(true);
    project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'");
    await waitForResponse(port, (body) => body.startsWith('v2 '));
  });

  it('says a bin that is not executable cannot be started, and how to fix it', async () => {
    const project = session.project();
    project.write('run.sh', '#!/bin/sh\necho hi\n');
    chmodSync(project.path('run.sh'), 0o644);
    project.write('.hotrc.toml', 'bin = "./run.sh"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/cannot start \.\/run\.sh: permission denied, waiting for changes/);
    await hot.waitFor(/make it executable \(chmod \+x \.\/run\.sh\)/);
    expect(hot.output()).not.toMatch(/^\s+at /m);
  });

  it('says when the working directory vanished, and keeps watching', async () => {
    const project = session.project();
    project.write('sub/app.mjs', 'console.log("up");\nsetInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'include = ["*.txt"]\nbin = "node app.mjs"\n[run]\ncwd = "sub"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/^up$/m);
    await hot.watching();
    rmSync(project.path('sub'), { recursive: true });
    project.write('trigger.txt', 'x');
    await hot.waitFor(/the working directory .*sub does not exist, waiting for changes/);
    project.write('sub/app.mjs', 'console.log("back");\nsetInterval(() => {}, 1000);\n');
    project.write('trigger.txt', 'y');
    await hot.waitFor(/^back$/m);
  });
});
