import { symlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotEvent } from '../../src/events.js';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { REPO_ROOT, type TempProject } from '../helpers/project.js';
import { isAlive } from '../helpers/processes.js';
import { useSession, type Session } from '../helpers/session.js';

/**
 * The warm standby: after each start, the next version of a Node program hot runs itself is started
 * ahead of time, its packages imported, waiting before the program's entry. A restart wakes it.
 */

type Seen = { version: string; argv: string[]; execArgv: string[]; main: boolean; restartCount?: string; generation?: string; changed?: string; standbyVariables: string[]; env: string; colors: string };

/** A CommonJS server on a literal port that requires a package from node_modules and prints what it sees of its start. */
function standbyApp(session: Session, port: number): TempProject {
  const project = session.project();
  mkdirSync(project.path('node_modules'), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, 'node_modules', 'picocolors'), project.path('node_modules', 'picocolors'), 'dir');
  project.write('package.json', '{ "name": "standby-app", "private": true }\n');
  project.write(
    'app.cjs',
    [
      "const colors = require('picocolors');",
      "const http = require('node:http');",
      "const VERSION = 'v1';",
      'const seen = {',
      '  version: VERSION,',
      '  argv: process.argv.slice(1),',
      '  execArgv: process.execArgv,',
      '  main: require.main === module,',
      '  restartCount: process.env.HOT_RESTART_COUNT,',
      '  generation: process.env.HOT_GENERATION,',
      '  changed: process.env.HOT_CHANGED,',
      "  standbyVariables: Object.keys(process.env).filter((name) => name.startsWith('HOT_STANDBY')),",
      '  env: Object.keys(process.env).sort().join(\',\'),',
      '  colors: typeof colors.red,',
      '};',
      "console.log(`program ${JSON.stringify(seen)}`);",
      `http.createServer((request, response) => response.end(VERSION)).listen(${port}, '127.0.0.1');`,
      '',
    ].join('\n'),
  );
  return project;
}

function events(hot: HotProcess): HotEvent[] {
  return hot
    .output('stdout')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as HotEvent);
}

function programLines(hot: HotProcess): Seen[] {
  return [...hot.output('stderr').matchAll(/^program (\{.*\})$/gm)].map((match) => JSON.parse(match[1]!) as Seen);
}

function standbyEvents(hot: HotProcess, state: 'ready' | 'discarded' | 'lost'): Array<Extract<HotEvent, { type: 'standby' }>> {
  return events(hot).filter((event): event is Extract<HotEvent, { type: 'standby' }> => event.type === 'standby' && event.state === state);
}

function spawns(hot: HotProcess): Array<Extract<HotEvent, { type: 'spawn' }>> {
  return events(hot).filter((event): event is Extract<HotEvent, { type: 'spawn' }> => event.type === 'spawn');
}

/** A standby has said it is ready (with `detail` matching; with `after`, one that came after the standby `after`): its pid. */
const standbyReady = (hot: HotProcess, detail = /./, after = 0) =>
  until(`a warm standby ready (${detail})`, () => {
    const ready = standbyEvents(hot, 'ready');
    return ready.slice(ready.findLastIndex((event) => event.pid === after) + 1).find((event) => detail.test(event.detail) && event.pid !== after)?.pid;
  });

describe('warm standby', () => {
  const session = useSession();

  it.each([
    { run: ['app.cjs'], how: '`hot app.cjs`' },
    { run: ['--', 'node', 'app.cjs'], how: '`hot -- node app.cjs`' },
  ])('a restart wakes the standby, which the program cannot tell from a cold start ($how)', async ({ run }) => {
    const port = await freePort();
    const project = standbyApp(session, port);
    const hot = session.run(project, ['--json', ...run]);
    await hot.interact(answer(port, /^v1$/), watching());
    // It imported the package the first version loaded, and nothing of the program's own.
    const first = await hot.interact(standbyReady(hot, /^1 of 1 packages imported/));
    expect(programLines(hot)).toHaveLength(1);

    await hot.interact(
      act('set v2', () => project.replace('app.cjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      answer(port, /^v2$/),
      // Its stderr line may come through after its first answer.
      until('the new version has said what it sees', () => programLines(hot).length >= 2),
    );
    expect(spawns(hot).at(-1)).toMatchObject({ pid: first, warm: true });
    const [cold, warm] = programLines(hot);
    expect(warm).toMatchObject({ version: 'v2', main: true, restartCount: '1', changed: project.path('app.cjs'), standbyVariables: [], colors: 'function' });
    expect(cold).toMatchObject({ version: 'v1', main: true, restartCount: '0', standbyVariables: [] });
    expect(warm!.argv).toEqual(cold!.argv);
    expect(warm!.execArgv).toEqual(cold!.execArgv);
    expect(warm!.env).toBe(cold!.env);
    expect(Number(warm!.generation)).toBeGreaterThan(Number(cold!.generation));

    // An install or a package.json edit: the standby imported packages that may be stale, so the next restart is cold.
    const second = await hot.interact(standbyReady(hot, /./, first));
    await hot.interact(
      // In one step: two steps may land further apart than a burst's quiet on a loaded machine, and restart twice.
      act('edit package.json and set v3', () => {
        project.write('package.json', '{ "name": "standby-app", "private": true, "version": "1.0.1" }\n');
        project.replace('app.cjs', "const VERSION = 'v2'", "const VERSION = 'v3'");
      }),
      answer(port, /^v3$/),
      until('v3 has said what it sees', () => programLines(hot).at(-1)?.version === 'v3'),
    );
    expect(standbyEvents(hot, 'discarded').filter((event) => event.pid === second)).toEqual([expect.objectContaining({ detail: expect.stringMatching(/package/) })]);
    expect(spawns(hot).at(-1)!.warm).toBeUndefined();
    expect(programLines(hot).at(-1)).toMatchObject({ version: 'v3', restartCount: '2' });
    await hot.interact(until('the dropped standby is gone', () => !isAlive(second)));
  });

  it('an edited .env, then a changed [run], each drop the standby: that restart is cold and the program sees the change', async () => {
    const port = await freePort();
    const project = standbyApp(session, port);
    project.write('.env', 'PLACE=here\n');
    project.write('.hotrc.toml', '[run]\nenv_file = ".env"\n');
    const hot = session.run(project, ['app.cjs', '--json']);
    await hot.interact(answer(port, /^v1$/), watching());
    const first = await hot.interact(standbyReady(hot));
    await hot.interact(
      act('add a variable to .env', () => project.write('.env', 'PLACE=here\nGREETING=hello\n')),
      until('the program started again with GREETING', () => programLines(hot).at(-1)?.env.split(',').includes('GREETING')),
    );
    expect(standbyEvents(hot, 'discarded').filter((event) => event.pid === first)).toEqual([expect.objectContaining({ detail: 'the environment changed (GREETING)' })]);
    expect(spawns(hot).at(-1)!.warm).toBeUndefined();

    const second = await hot.interact(standbyReady(hot, /./, first));
    await hot.interact(
      act('set [run] env in .hotrc.toml', () => project.write('.hotrc.toml', '[run]\nenv_file = ".env"\nenv = { DEMO_SETTING = "on" }\n')),
      until('the program started again with DEMO_SETTING', () => programLines(hot).at(-1)?.env.split(',').includes('DEMO_SETTING')),
    );
    expect(standbyEvents(hot, 'discarded').filter((event) => event.pid === second)).toEqual([expect.objectContaining({ detail: expect.stringMatching(/^(\[run\] changed|the environment changed)/) })]);
    expect(spawns(hot).at(-1)!.warm).toBeUndefined();
    await hot.interact(until('both dropped standbys are gone', () => !isAlive(first) && !isAlive(second)));
  });

  it('a standby that dies is replaced by a cold start; Ctrl-C leaves no standby behind', async () => {
    const port = await freePort();
    const project = standbyApp(session, port);
    const hot = session.run(project, ['app.cjs', '--json']);
    await hot.interact(answer(port, /^v1$/), watching());
    const standby = await hot.interact(standbyReady(hot, /^1 of 1/));
    await hot.interact(
      act('kill the standby', () => process.kill(standby, 'SIGKILL')),
      until('the standby is reported lost', () => standbyEvents(hot, 'lost').length === 1),
      act('set v2', () => project.replace('app.cjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      answer(port, /^v2$/),
      standbyReady(hot, /./, standby),
    );
    expect(spawns(hot).at(-1)!.warm).toBeUndefined();
    await hot.interact(until('hot, its esbuild service, the serving version and the standby are left (the old version has drained)', () => hot.liveProcesses() === 4));
    const { code } = await hot.interact(act('send SIGINT', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    await hot.interact(until('no process with the marker is left', () => hot.liveProcesses() === 0));
  });

  it("a crash in the woken standby is the program's own: its error, its exit code", async () => {
    const port = await freePort();
    const project = standbyApp(session, port);
    const hot = session.run(project, ['--json', 'app.cjs']);
    await hot.interact(answer(port, /^v1$/), watching());
    const first = await hot.interact(standbyReady(hot, /^1 of 1/));
    await hot.interact(
      act('make it throw', () => project.replace('app.cjs', "const VERSION = 'v1';", "const VERSION = 'v1';\nthrow new Error('boom in v2');")),
      output(/app\.cjs:4\b[\s\S]*Error: boom in v2|Error: boom in v2[\s\S]*app\.cjs:4\b/),
      output(/"type":"start-failed".*"reason":"it exited before it was ready \(code 1\)"/),
    );
    expect(spawns(hot).at(-1)).toMatchObject({ pid: first, warm: true });
    const second = await hot.interact(standbyReady(hot, /./, first));
    await hot.interact(
      act('make it exit with 3', () => project.replace('app.cjs', "throw new Error('boom in v2');", 'process.exit(3);')),
      output(/"type":"start-failed".*"reason":"it exited before it was ready \(code 3\)"/),
    );
    expect(spawns(hot).at(-1)).toMatchObject({ pid: second, warm: true });
    await hot.interact(act('fix it', () => project.replace('app.cjs', 'process.exit(3);', '')), answer(port, /^v1$/));
  });

  it('leaves no standby behind when hot is killed outright', async () => {
    const port = await freePort();
    const project = standbyApp(session, port);
    const hot = session.run(project, ['app.cjs', '--json']);
    await hot.interact(answer(port, /^v1$/), standbyReady(hot));
    await hot.interact(
      act('send SIGKILL', () => hot.signal('SIGKILL')),
      exit(),
      until('no process with the marker is left', () => hot.liveProcesses() === 0),
    );
    // The standby saw hot go before "go": it never ran the program on its own.
    expect(programLines(hot)).toHaveLength(1);
  });

  it('doctor says whether restarts use a standby, and why not', async () => {
    const port = await freePort();
    const project = standbyApp(session, port);
    project.write('.hotrc.toml', '[build]\nentry = "app.cjs"\n');
    const on = session.run(project, ['doctor']);
    await on.interact(output(/warm standby: the next version waits booted/), exit());
    project.write('.hotrc.toml', '[build]\nentry = "app.cjs"\n[run]\nstandby = false\n');
    const off = session.run(project, ['doctor']);
    await off.interact(output(/warm standby: off, every restart starts cold \(\[run\] standby = false\)/), exit());
  });
});
