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

  it('keyboard shortcuts restart, rebuild, pause, resume, show help and quit', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = onTerminal(session, project, {}, ['--verbose']);
    await hot.interact(
      output(/press h for shortcuts/),
      output(/app v1 up \d+/),
      press('h'),
      output(/shortcuts: r or Enter restart · b rebuild/),
      press('r'),
      output(/restarting: restart requested \(ready in \d+ ms, pid \d+\)/),
      press('b'),
      output(/restarting: rebuild requested/),
      press('p'),
      output(/paused: changes are noted/),
      act('edit app.js and add other.js', () => {
        project.write('app.js', APP.replace('v1', 'v2'));
        project.write('other.js', '// a second change while paused\n');
      }),
      // --verbose shows each file event: both were seen while paused, and nothing restarted.
      output(/add other\.js/),
      output(/change app\.js/),
    );
    const from = hot.output().length - hot.sinceMark().length;
    expect(hot.sinceMark()).not.toMatch(/restarting:/);
    await hot.interact(
      press('p'),
      output(/resumed watching/),
      output(/restarting: (app|other)\.js \(\+1 more\) changed/),
      output(/app v2 up \d+/),
    );
    expect(hot.output().slice(from).match(/restarting:/g)).toHaveLength(1);
    expect((await hot.interact(press('q'), exit())).code).toBe(130);
    expect(hot.liveProcesses()).toBe(0);
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
