import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, exit, output, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';

const APP = "console.log(`app v1 up ${process.pid}`);\nsetInterval(() => {}, 1000);\n";
const CLEAR = '\u001b[2J\u001b[3J\u001b[H';

/** hot on a pseudo-terminal, as a person runs it. */
function onTerminal(session: Session, project: TempProject, env: NodeJS.ProcessEnv = {}, args: string[] = []): HotProcess {
  return session.run(project, args, { tty: true, env: { CI: '', ...env } });
}

const press = (key: string) => act(`press ${JSON.stringify(key)}`, (hot) => hot.write(key));

describe('on a terminal', () => {
  const session = useSession();

  it('keyboard shortcuts restart, rebuild, show help and quit', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = onTerminal(session, project);
    const { code } = await hot.interact(
      output(/press h for shortcuts/),
      output(/app v1 up \d+/),
      press('h'),
      output(/shortcuts: r or Enter restart · b rebuild/),
      press('r'),
      output(/restarting: restart requested \(pid \d+\)/),
      press('b'),
      output(/restarting: rebuild requested/),
      press('q'),
      exit(),
    );
    expect(code).toBe(0);
    expect(hot.liveProcesses()).toBe(0);
  });

  it('p pauses watching: changes are held until p is pressed again, then restart once', async () => {
    const project = session.project();
    project.write('app.js', APP);
    // No debounce: were a change not held, its restart would begin at once, before anything else happens.
    project.write('.hotrc.toml', 'delay = 0\nbin = "node app.js"\n');
    const hot = onTerminal(session, project, {}, ['--verbose']);
    await hot.interact(output(/press h for shortcuts/), output(/app v1 up \d+/), watching(), press('p'), output(/paused: changes are noted/));
    const pausedAt = hot.output().length;
    // --verbose shows each file event as it arrives, and each cycle as it begins ("building (…)").
    // app.js is seen alone and, were it not held, its cycle would begin before other.js is written.
    await hot.interact(
      act('edit app.js', () => project.write('app.js', APP.replace('v1', 'v2'))),
      output(/change app\.js/),
      act('add other.js', () => project.write('other.js', '// a second change while paused\n')),
      output(/add other\.js/),
    );
    const resumedAt = hot.output().length;
    await hot.interact(
      press('p'),
      output(/resumed watching/),
      // Both held changes come out as one batch, so one restart.
      output(/restarting: (app|other)\.js \(\+1 more\) changed/),
      output(/app v2 up \d+/),
      // A restart asked for afterwards is the next one: nothing else was left queued.
      press('r'),
      output(/restarting: restart requested/),
    );
    expect(hot.output().slice(pausedAt, resumedAt)).not.toMatch(/building \(|restarting:|app v2 up/);
    expect(hot.output().slice(pausedAt).match(/restarting:/g)).toHaveLength(2);
  });

  it('clears the screen before a restart with clear = true, but not when CI is set', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'clear = true\nbin = "node app.js"\n');
    const hot = onTerminal(session, project);
    await hot.interact(
      output(/app v1 up/),
      watching(),
      act('set v2', () => project.write('app.js', APP.replace('v1', 'v2'))),
      output(/restarting: app\.js changed/),
    );
    const text = hot.output();
    expect(text.lastIndexOf(CLEAR)).toBeGreaterThan(text.indexOf('app v1 up'));
    expect(text.lastIndexOf(CLEAR)).toBeLessThan(text.indexOf('restarting: app.js changed'));
    await hot.cleanup();

    const inCi = onTerminal(session, project, { CI: 'true' });
    await inCi.interact(
      watching(),
      output(/app v2 up/),
      act('set v3', () => project.write('app.js', APP.replace('v1', 'v3'))),
      output(/restarting: app\.js changed/),
    );
    expect(inCi.output()).not.toContain(CLEAR);
  });

  it('stdin = "child" gives the terminal to the program, and turns the shortcuts off', async () => {
    const project = session.project();
    project.write('app.js', "process.stdin.on('data', (d) => console.log(`app read ${JSON.stringify(String(d).trim())}`));\nconsole.log('app listening to stdin');\n");
    project.write('.hotrc.toml', 'stdin = "child"\nbin = "node app.js"\n');
    const hot = onTerminal(session, project);
    await hot.interact(output(/app listening to stdin/), act('type rhq and Enter', () => hot.write('rhq\r')), output(/app read "rhq"/));
    expect(hot.output()).not.toMatch(/press h for shortcuts|restarting/);
  });
});

describe('without a terminal', () => {
  const session = useSession();

  it('passes stdin to the program', async () => {
    const project = session.project();
    project.write('app.js', "process.stdin.on('data', (d) => console.log(`app read ${JSON.stringify(String(d).trim())}`));\nconsole.log('app listening to stdin');\n");
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = session.run(project, [], { stdin: true });
    await hot.interact(
      output(/app listening to stdin/),
      act('pipe a line', () => hot.write('hello from a pipe\n')),
      output(/app read "hello from a pipe"/),
    );
    expect(hot.output()).not.toMatch(/press h for shortcuts/);
  });
});
