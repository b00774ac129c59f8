import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, exit, output, until } from '../helpers/interact.js';
import { addApp, type TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';

/** Stops on SIGTERM and says so: proof that `q` went through the kill path. */
const APP = "process.on('SIGTERM', () => { console.log('app got SIGTERM'); process.exit(0); });\nconsole.log('app up');\nsetInterval(() => {}, 1000);\n";

/** hot on a pseudo-terminal, where the shortcuts are on. */
function onTerminal(session: Session, project: TempProject): HotProcess {
  return session.run(project, ['--verbose'], { tty: true, env: { CI: '' } });
}

const press = (key: string) => act(`press ${JSON.stringify(key)}`, (hot) => hot.write(key));
const noneLeft = (hot: HotProcess) => until('no process of hot left', () => hot.liveProcesses() === 0);

describe('the q shortcut', () => {
  const session = useSession();

  it('stops the program through its kill path and exits 0: a quit is not an interruption', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n');
    const hot = onTerminal(session, project);
    const { code } = await hot.interact(output(/press h for shortcuts/), output(/app up/), press('q'), output(/quit requested, stopping the app/), output(/app got SIGTERM/), exit());
    expect(code).toBe(0);
    await hot.interact(noneLeft(hot));
  });

  it('a Ctrl-C while quitting kills the program at once, and exits as interrupted', async () => {
    const project = session.project();
    addApp(project, 'ignores-sigterm.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n[run]\nkill_timeout = 60000\n');
    const hot = onTerminal(session, project);
    const { code } = await hot.interact(
      output(/press h for shortcuts/),
      output(/ready pid \d+/),
      press('q'),
      output(/ignoring SIGTERM/),
      // Raw mode turns Ctrl-C into a key; hot passes it on as SIGINT to itself.
      press('\u0003'),
      output(/SIGINT while stopping: killing the app/),
      exit(),
    );
    expect(code).toBe(130);
    await hot.interact(noneLeft(hot));
  });
});
