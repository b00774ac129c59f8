import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, exit, output, until, watching } from '../helpers/interact.js';
import { addApp } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const nothingLeft = (hot: HotProcess) => until('no process with the marker is left', () => hot.liveProcesses() === 0);

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
    await hot.interact(
      output(/up 0 changed=\n/),
      watching(),
      act('add src/a.txt: its build outlasts the crash and the backoff', () => project.write('src/a.txt', 'a')),
      output(/app exited with code 1, restarting in/),
      output(/up 1 changed=.*a\.txt/),
      // A later change: had the retry been left queued, it would show before this one's start.
      act('add src/b.txt', () => project.write('src/b.txt', 'b')),
      output(/up 2 changed=.*b\.txt/),
    );
    expect(hot.output()).not.toMatch(/restarting after crash/);
  });

  it('stops what a crashed program left in its group when hot is stopped meanwhile', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'stubborn.mjs');
    project.write('.hotrc.toml', 'bin = "node stubborn.mjs & sleep 0.3; exit 1"\n[run]\nkill_timeout = 1000\n[restart]\nbackoff = { initial = 5000, max = 5000 }\n');
    const hot = session.run(project, []);
    const { code } = await hot.interact(output(/app exited with code 1, restarting in/), act('send SIGINT', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    await hot.interact(nothingLeft(hot));
  });

  it('kills a build that ignores SIGTERM on a second Ctrl-C', async () => {
    const project = session.project();
    project.write('build.mjs', "process.on('SIGTERM', () => console.log('build ignores SIGTERM'));\nconsole.log('build running');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', 'bin = "node -e 0"\n[build]\ncmd = "node build.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = session.run(project, ['--verbose']);
    const { code } = await hot.interact(
      output(/building \(node build\.mjs\)/),
      watching(),
      act('send SIGINT', () => hot.signal('SIGINT')),
      output(/SIGINT received, stopping the app/),
      act('send SIGINT again', () => hot.signal('SIGINT')),
      exit(),
    );
    expect(code).toBe(130);
    await hot.interact(nothingLeft(hot));
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
    await hot.interact(
      watching(),
      output(/started node src\/app\.js/),
      act('edit src/app.js', () => project.write('src/app.js', 'setInterval(() => {}, 1000); // edited\n')),
      output(/src\/gen\/out\.js changed again during the build, for the 3rd time in a row/),
    );
    expect(hot.count(/restarting:/)).toBeLessThanOrEqual(4);
    // A real edit still works afterwards. The build's own write may land in the same cycle, named
    // first or not ("(+1 more)"): either way the edit is in it.
    await hot.interact(
      act('edit src/app.js again', () => project.write('src/app.js', 'setInterval(() => {}, 1000); // edited again\n')),
      output(/restarting: (?:src\/app\.js (?:\(\+1 more\) )?|src\/gen\/out\.js \(\+1 more\) )changed/),
    );
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
    // The first start may write before the watcher has walked the tree (it walks while the program
    // boots): then that write is where the tree starts, and nothing loops. An edit restarts it with
    // the watcher up, so the loop begins for sure.
    await hot.interact(watching(), act('edit app.mjs', () => project.write('app.mjs', `${project.read('app.mjs')}// edited\n`)));
    // Caught holding the file open, or else by its timing after 3 rounds: either way the restarts stop.
    const stopped = await hot.interact(
      output(/data\.json changed right after the app started, for the 3rd time in a row: the app seems to write into watched files|data\.json is written by the app itself/),
    );
    if (stopped[0].startsWith('data.json changed')) await hot.interact(output(/hint: add it to exclude, or have the app write outside the watched tree/));
    // The edit's restart, and at most 3 rounds after it plus one of the first write, when it was seen.
    expect(hot.count(/restarting:/)).toBeLessThanOrEqual(5);
    // The edit may come out in one batch with a write of the app's (the restart line then names either file): the new code runs.
    await hot.interact(act('edit app.mjs', () => project.write('app.mjs', project.read('app.mjs').replace('setInterval', "console.log('app edited');\nsetInterval"))), output(/^app edited$/m));
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
    const lines = () => project.read('events.json').split('\n').length;
    await hot.interact(
      watching(),
      output(/events\.json is written by the app itself \(it holds it open\): not a reason to restart/),
      // The app's own writes, well past the 500 ms after start in which a write would count toward a loop.
      until('the app has appended 30 lines to events.json', () => lines() > 30),
      // A real edit: a restart left over from those writes would come before this one, or be merged into it.
      act('edit app.mjs', () => project.write('app.mjs', project.read('app.mjs').replace('app up', 'app up again'))),
      output(/restarting: app\.mjs changed \(/),
      output(/app up again/),
    );
    // The first restart of all is the one for the edit: the app's writes before it caused none.
    expect(hot.output().match(/restarting: .*/)![0]).toMatch(/^restarting: app\.mjs changed \(/);
    expect(hot.count(/is written by the app itself/)).toBe(1);
  });
});
