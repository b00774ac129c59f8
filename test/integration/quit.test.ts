import { afterEach, describe, expect, it } from 'vitest';
import { runHot, type HotProcess } from '../helpers/hot-process.js';
import { waitForNoMarkedProcesses } from '../helpers/processes.js';
import { addApp, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/** Stops on SIGTERM and says so: proof that `q` went through the kill path. */
const APP = "process.on('SIGTERM', () => { console.log('app got SIGTERM'); process.exit(0); });\nconsole.log('app up');\nsetInterval(() => {}, 1000);\n";

let running: HotProcess | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

/** hot on a pseudo-terminal, where the shortcuts are on. */
function onTerminal(project: TempProject, args: string[] = []): HotProcess {
  running = runHot(args, { cwd: project.dir, tty: true, env: { CI: '' } });
  return running;
}

describe('the q shortcut', () => {
  const session = useSession();

  it('stops the program through its kill path and exits 0: a quit is not an interruption', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = onTerminal(project, ['--verbose']);
    await hot.waitFor(/press h for shortcuts/);
    await hot.waitFor(/app up/);

    hot.write('q');
    await hot.waitFor(/quit requested, stopping the app/);
    await hot.waitFor(/app got SIGTERM/);
    expect((await hot.exited).code).toBe(0);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });

  it('a Ctrl-C while quitting kills the program at once, and exits as interrupted', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = onTerminal(project, ['--verbose']);
    await hot.waitFor(/press h for shortcuts/);
    await hot.waitFor(/ready pid \d+/);

    hot.write('q');
    await hot.waitFor(/ignoring SIGTERM/);
    // Raw mode turns Ctrl-C into a key; hot passes it on as SIGINT to itself.
    hot.write('\u0003');
    await hot.waitFor(/SIGINT while stopping: killing the app/);
    expect((await hot.exited).code).toBe(130);
    expect(await waitForNoMarkedProcesses(hot.marker)).toBe(0);
  });
});
