import { describe, expect, it } from 'vitest';
import { waitForNoMarkedProcesses } from '../helpers/processes.js';
import { addApp } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

describe('races between crashes, builds and shutdown', () => {
  const session = useSession();

  it('does not let a crash retry replace the program a build just started', async () => {
    const project = session.project();
    project.write('build.mjs', 'setTimeout(() => {}, 1500);\n');
    // Crashes 800 ms after a start that no change caused; stays up when started for a change.
    project.write(
      'app.mjs',
      "const changed = process.env.HOT_CHANGED;\nconsole.log(`up ${process.env.HOT_RESTART_COUNT} changed=${changed}`);\nif (!changed) setTimeout(() => process.exit(1), 800);\nsetInterval(() => {}, 1000);\n",
    );
    project.write('.hotrc.toml', 'include = ["src/**"]\nbin = "node app.mjs"\n[build]\ncmd = "node build.mjs"\n');
    const hot = session.run(project, []);
    await hot.waitFor(/up 0 changed=\n/);
    await hot.watching();
    project.write('src/a.txt', 'a'); // its build outlasts the crash and the backoff
    await hot.waitFor(/app exited with code 1, restarting in/);
    await hot.waitFor(/up 1 changed=.*a\.txt/);
    project.write('src/b.txt', 'b');
    await hot.waitFor(/up 2 changed=.*b\.txt/);
    expect(hot.output()).not.toMatch(/restarting after crash/);
  });

  it('stops what a crashed program left in its group when hot is stopped meanwhile', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'stubborn.mjs');
    project.write('.hotrc.toml', 'bin = "node stubborn.mjs & sleep 0.3; exit 1"\n[run]\nkill_timeout = 1000\n[restart]\nbackoff = { initial = 5000, max = 5000 }\n');
    const hot = session.run(project, []);
    await hot.waitFor(/app exited with code 1, restarting in/);
    hot.signal('SIGINT');
    expect((await hot.exited).code).toBe(130);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });

  it('kills a build that ignores SIGTERM on a second Ctrl-C', async () => {
    const project = session.project();
    project.write('build.mjs', "process.on('SIGTERM', () => console.log('build ignores SIGTERM'));\nconsole.log('build running');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node -e 0"\n[build]\ncmd = "node build.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = session.run(project, ['--verbose']);
    await hot.waitFor(/building \(node build\.mjs\)/);
    await hot.watching();
    hot.signal('SIGINT');
    await hot.waitFor(/SIGINT received, stopping the app/);
    hot.signal('SIGINT');
    expect((await hot.exited).code).toBe(130);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });
});

describe('a build that writes into watched files', () => {
  const session = useSession();

  it('is stopped after a few rounds with a message, not run forever', async () => {
    const project = session.project();
    // The build copies src/ into src/gen/, which include also matches: each build triggers the next.
    project.write('build.mjs', "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('src/gen', { recursive: true });\nwriteFileSync('src/gen/out.js', `// ${Date.now()}\\n`);\n");
    project.write('src/app.js', 'setInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'include = ["src/**/*.js"]\nbin = "node src/app.js"\n[build]\ncmd = "node build.mjs"\n');
    const hot = session.run(project, []);
    await hot.watching();
    await hot.waitFor(/started node src\/app\.js/);
    project.write('src/app.js', 'setInterval(() => {}, 1000); // edited\n');
    await hot.waitFor(/src\/gen\/out\.js changed again during the build, for the 3rd time in a row/);
    const restarts = hot.count(/restarting:/);
    expect(restarts).toBeLessThanOrEqual(4);
    // A real edit still works afterwards.
    const before = hot.output().length;
    project.write('src/app.js', 'setInterval(() => {}, 1000); // edited again\n');
    await hot.waitFor(/restarting: src\/app\.js changed/, { from: before });
  });
});

describe('a program that writes into watched files as it starts', () => {
  const session = useSession();

  it('is stopped after a few rounds with a message, and a real edit still restarts it', async () => {
    const project = session.project();
    // data.json matches the default include; the app rewrites it each time it starts.
    project.write('app.mjs', "import { writeFileSync } from 'node:fs';\nwriteFileSync('data.json', JSON.stringify({ startedAt: Date.now() }));\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    const hot = session.run(project, []);
    await hot.watching();
    // Caught holding the file open, or else by its timing after 3 rounds: either way the restarts stop.
    const stopped = await hot.waitFor(/data\.json changed right after the app started, for the 3rd time in a row: the app seems to write into watched files|data\.json is written by the app itself/);
    if (stopped[0].startsWith('data.json changed')) await hot.waitFor(/hint: add it to exclude, or have the app write outside the watched tree/);
    const restarts = hot.count(/restarting:/);
    expect(restarts).toBeLessThanOrEqual(4);
    const before = hot.output().length;
    project.write('app.mjs', project.read('app.mjs').replace('1000', '2000'));
    await hot.waitFor(/restarting: app\.mjs changed/, { from: before });
  });
});

describe('a file the program keeps open for writing (its log, its database)', () => {
  const session = useSession();

  it('never restarts it, is reported once, and real edits still restart', async () => {
    const project = session.project();
    // events.json matches the default include; the app holds it open and appends to it all the time.
    project.write(
      'app.mjs',
      "import { openSync, writeSync } from 'node:fs';\nconst fd = openSync('events.json', 'a');\nconsole.log('app up');\nsetInterval(() => writeSync(fd, `{\"at\":${Date.now()}}\\n`), 50);\n",
    );
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n');
    const hot = session.run(project, ['--verbose']);
    await hot.watching();
    await hot.waitFor(/events\.json is written by the app itself \(it holds it open\): not a reason to restart/);
    // Well past the 500 ms after start in which a write would count toward a loop: still no restart.
    await expect.poll(() => project.read('events.json').split('\n').length, { timeout: 20_000 }).toBeGreaterThan(30);
    expect(hot.count(/restarting:/)).toBe(0);
    expect(hot.count(/is written by the app itself/)).toBe(1);
    project.write('app.mjs', project.read('app.mjs').replace('app up', 'app up again'));
    await hot.waitFor(/restarting: app\.mjs changed/);
    await hot.waitFor(/app up again/);
  });
});
