import { chmodSync, existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { get } from '../helpers/http.js';
import { act, answer, exit, output, watching } from '../helpers/interact.js';
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
    await hot.interact(
      output(/changed=""/),
      watching(),
      act('write files named like command substitutions', () => {
        project.write('data/$(touch pwned).txt', 'x');
        project.write('data/`touch pwned2`.txt', 'x');
      }),
      output(/changed=".*\$\(touch pwned\)\.txt/),
    );
    expect(existsSync(project.path('pwned'))).toBe(false);
    expect(existsSync(project.path('data', 'pwned'))).toBe(false);
    expect(existsSync(project.path('pwned2'))).toBe(false);
  });

  it('runs out of inotify watches: says so with the limit and the fix, then polls and misses no change', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app v1');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    // HOT_TEST_ENOSPC makes the watcher report ENOSPC after its scan, as chokidar does at the limit.
    const hot = session.run(project, [], { env: { HOT_TEST_ENOSPC: '1' } });
    await hot.interact(
      output(/out of inotify watches \(the limit is \d+\): switching to polling so no change is missed/),
      output(/watching \. \(\d+ files?, polling every 300 ms; build: no build\)/),
    );
    expect(hot.output()).toMatch(/hint: raise the limit with `sudo sysctl fs\.inotify\.max_user_watches=524288`/);
    expect(hot.count(/out of inotify watches/)).toBe(1);
    await hot.interact(
      act('edit app.mjs', () => project.write('app.mjs', "console.log('app v2');\nsetInterval(() => {}, 1000);\n")),
      output(/restarting: app\.mjs changed/),
      output(/^app v2$/m),
    );
    expect(hot.count(/restarting:/)).toBe(1);
  });

  it('runs out of inotify watches for some files: polls just those, and their changes still restart', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app v1');\nsetInterval(() => {}, 1000);\n");
    project.write('other.js', '// watched by events\n');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    // app.mjs stands for a file inotify could not take: it is no longer watched by events at all.
    const hot = session.run(project, ['--verbose'], { env: { HOT_TEST_ENOSPC: 'app.mjs' } });
    await hot.interact(
      output(/out of inotify watches \(the limit is \d+\): polling what it could not watch \(every 300 ms\) so no change is missed/),
      output(/polling 1 more path that inotify could not watch/),
    );
    expect(hot.output()).not.toMatch(/polling every 300 ms; build/);
    await hot.interact(
      act('edit app.mjs', () => project.write('app.mjs', "console.log('app v2');\nsetInterval(() => {}, 1000);\n")),
      output(/restarting: app\.mjs changed/),
      output(/^app v2$/m),
      // The rest still has its events (no polling delay needed), and nothing restarts twice.
      act('edit other.js', () => project.write('other.js', '// edited\n')),
      output(/restarting: other\.js changed/),
    );
    expect(hot.count(/restarting:/)).toBe(2);
  });

  it('falls back to chokidar where the native watcher cannot load: says so in --verbose and in doctor, and still restarts', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app v1');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    const env = { HOT_TEST_NATIVE_WATCHER: 'missing' };
    const hot = session.run(project, ['--verbose'], { env });
    await hot.interact(
      output(/native file watching is not available \(HOT_TEST_NATIVE_WATCHER=missing\): using chokidar/),
      output(/watching \. \(\d+ files; build: no build\)/),
      act('edit app.mjs', () => project.write('app.mjs', "console.log('app v2');\nsetInterval(() => {}, 1000);\n")),
      output(/restarting: app\.mjs changed/),
      output(/^app v2$/m),
    );
    expect(hot.count(/using chokidar/)).toBe(1);
    const doctor = session.run(project, ['doctor'], { env });
    await doctor.interact(exit());
    expect(doctor.output()).toMatch(/^\[hot\] warn {2}file watching: chokidar, because the native watcher cannot load here \(HOT_TEST_NATIVE_WATCHER=missing\)$/m);
    expect(doctor.output()).toMatch(/^\[hot\] ok {4}\d+ files to watch; inotify limit/m);
  });

  it('runs out of inotify watches in a monorepo: the one shared watcher polls from then on', async () => {
    const project = session.project('monorepo');
    linkWorkspacePackages(project);
    const hot = session.run(project, ['dev', '--filter', 'web'], { env: { HOT_TEST_ENOSPC: '1' } });
    await hot.interact(
      output(/out of inotify watches/),
      output(/^web\s+│ web ready on \d+/m),
      output(/^\[hot\] watching \d+ files by polling every 300 ms$/m),
      act('edit web', () => project.replace('packages/web/src/server.js', 'web v1', 'web v2')),
      output(/^web\s+│ \[hot\] restarting: packages\/web\/src\/server\.js changed/m),
    );
    expect(hot.count(/out of inotify watches/)).toBe(1);
  });

  it('keeps running with the last config when the config file is deleted', async () => {
    const { hot, project, port } = await startHttpApp(session);
    await hot.interact(act('delete .hotrc.toml', () => rmSync(project.path('.hotrc.toml'))), output(/config not applied: still running with the previous one/));
    expect((await get(port)).startsWith('v1 ')).toBe(true);
    await hot.interact(act('set v2', () => project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")), answer(port, /^v2 /));
  });

  it('says a bin that is not executable cannot be started, and how to fix it', async () => {
    const project = session.project();
    project.write('run.sh', '#!/bin/sh\necho hi\n');
    chmodSync(project.path('run.sh'), 0o644);
    project.write('.hotrc.toml', 'bin = "./run.sh"\n');
    const hot = session.run(project, []);
    await hot.interact(output(/cannot start \.\/run\.sh: permission denied, waiting for changes/), output(/make it executable \(chmod \+x \.\/run\.sh\)/));
    expect(hot.output()).not.toMatch(/^\s+at /m);
  });

  it('says when the working directory vanished, and keeps watching', async () => {
    const project = session.project();
    project.write('sub/app.mjs', 'console.log("up");\nsetInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'include = ["*.txt"]\nbin = "node app.mjs"\n[run]\ncwd = "sub"\n');
    const hot = session.run(project, []);
    await hot.interact(
      output(/^up$/m),
      watching(),
      act('remove sub/ and touch trigger.txt', () => {
        rmSync(project.path('sub'), { recursive: true });
        project.write('trigger.txt', 'x');
      }),
      output(/the working directory .*sub does not exist, waiting for changes/),
      act('bring sub/ back and touch trigger.txt', () => {
        project.write('sub/app.mjs', 'console.log("back");\nsetInterval(() => {}, 1000);\n');
        project.write('trigger.txt', 'y');
      }),
      output(/^back$/m),
    );
  });
});
