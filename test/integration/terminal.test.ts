import { afterEach, describe, expect, it } from 'vitest';
import { runHot, type HotProcess } from '../helpers/hot-process.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const APP = "console.log(`app v1 up ${process.pid}`);\nsetInterval(() => {}, 1000);\n";
const CLEAR = '\u001b[2J\u001b[3J\u001b[H';

/** hot on a pseudo-terminal, as a person runs it. */
function onTerminal(project: TempProject, env: NodeJS.ProcessEnv = {}, args: string[] = []): HotProcess {
  running = runHot(args, { cwd: project.dir, tty: true, env: { CI: '', ...env } });
  return running;
}
let running: HotProcess | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

describe('on a terminal', () => {
  const session = useSession();

  it('keyboard shortcuts restart, rebuild, pause, resume, show help and quit', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = onTerminal(project, {}, ['--verbose']);
    await hot.waitFor(/press h for shortcuts/);
    await hot.waitFor(/app v1 up \d+/);

    hot.write('h');
    await hot.waitFor(/shortcuts: r or Enter restart · b rebuild/);
    let from = hot.output().length;
    hot.write('r');
    await hot.waitFor(/restarting: restart requested \(ready in \d+ ms, pid \d+\)/, { from });
    from = hot.output().length;
    hot.write('b');
    await hot.waitFor(/restarting: rebuild requested/, { from });

    hot.write('p');
    await hot.waitFor(/paused: changes are noted/);
    from = hot.output().length;
    project.write('app.js', APP.replace('v1', 'v2'));
    project.write('other.js', '// a second change while paused\n');
    // --verbose shows each file event: both were seen while paused, and nothing restarted.
    await hot.waitFor(/add other\.js/, { from });
    await hot.waitFor(/change app\.js/, { from });
    expect(hot.output().slice(from)).not.toMatch(/restarting:/);
    hot.write('p');
    await hot.waitFor(/resumed watching/, { from });
    await hot.waitFor(/restarting: (app|other)\.js \(\+1 more\) changed/, { from });
    await hot.waitFor(/app v2 up \d+/, { from });
    expect(hot.output().slice(from).match(/restarting:/g)).toHaveLength(1);

    hot.write('q');
    expect((await hot.exited).code).toBe(0);
    expect(hot.liveProcesses()).toBe(0);
  });

  it('clears the screen before a restart with clear = true, but not when CI is set', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'clear = true\nbin = "node app.js"\n');
    const hot = onTerminal(project);
    await hot.waitFor(/app v1 up/);
    await hot.waitFor(/watching/);
    project.write('app.js', APP.replace('v1', 'v2'));
    await hot.waitFor(/restarting: app\.js changed/);
    const output = hot.output();
    expect(output.lastIndexOf(CLEAR)).toBeGreaterThan(output.indexOf('app v1 up'));
    expect(output.lastIndexOf(CLEAR)).toBeLessThan(output.indexOf('restarting: app.js changed'));
    await hot.cleanup();

    const inCi = onTerminal(project, { CI: 'true' });
    await inCi.waitFor(/watching/);
    await inCi.waitFor(/app v2 up/);
    project.write('app.js', APP.replace('v1', 'v3'));
    await inCi.waitFor(/restarting: app\.js changed/);
    expect(inCi.output()).not.toContain(CLEAR);
  });

  it('stdin = "child" gives the terminal to the program, and turns the shortcuts off', async () => {
    const project = session.project();
    project.write('app.js', "process.stdin.on('data', (d) => console.log(`app read ${JSON.stringify(String(d).trim())}`));\nconsole.log('app listening to stdin');\n");
    project.write('.hotrc.toml', 'stdin = "child"\nbin = "node app.js"\n');
    const hot = onTerminal(project);
    await hot.waitFor(/app listening to stdin/);
    hot.write('rhq\r');
    await hot.waitFor(/app read "rhq"/);
    expect(hot.output()).not.toMatch(/press h for shortcuts|restarting/);
  });
});

describe('without a terminal', () => {
  const session = useSession();

  it('passes stdin to the program', async () => {
    const project = session.project();
    project.write('app.js', "process.stdin.on('data', (d) => console.log(`app read ${JSON.stringify(String(d).trim())}`));\nconsole.log('app listening to stdin');\n");
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    running = runHot([], { cwd: project.dir, stdin: true });
    await running.waitFor(/app listening to stdin/);
    running.write('hello from a pipe\n');
    await running.waitFor(/app read "hello from a pipe"/);
    expect(running.output()).not.toMatch(/press h for shortcuts/);
  });
});
