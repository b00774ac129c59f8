import { readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, output, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/**
 * Editors save in odd ways: a temp file renamed over the original, a backup copy moved aside. Each
 * save must restart the program exactly once, and the temp names must never show up.
 */
describe.each(['native events', 'polling'])('editor save patterns (%s)', (mode) => {
  const session = useSession();

  async function start(args: string[] = []): Promise<{ hot: HotProcess; project: TempProject }> {
    const project = session.project();
    project.write('src/app.mjs', "import { VERSION } from './version.mjs';\nconsole.log(`up ${VERSION}`);\nsetInterval(() => {}, 1000);\n");
    project.write('src/version.mjs', "export const VERSION = 'v1';\n");
    project.write('.hotrc.toml', 'include = ["src/**"]\nbin = "node src/app.mjs"\n');
    const hot = session.run(project, args, mode === 'polling' ? { env: { HOT_POLL: '1' } } : {});
    await hot.interact(output(/up v1/), watching());
    expect(/polling every \d+ ms/.test(hot.output())).toBe(mode === 'polling');
    return { hot, project };
  }

  /** Saves with `save`, then proves with a later plain save that the first caused exactly one restart. */
  async function expectOneRestart(hot: HotProcess, project: TempProject, save: () => void): Promise<void> {
    await hot.interact(
      act('save v2 the editor way', save),
      output(/up v2/),
      act('save v3 plainly', () => project.write('src/version.mjs', "export const VERSION = 'v3';\n")),
      output(/up v3/),
    );
    expect(hot.count(/restarting:/)).toBe(2);
    expect(hot.output()).not.toMatch(/\.tmp|___jb_|~|\.swp/);
  }

  it('a second save right after the first is the one that runs', async () => {
    const { hot, project } = await start();
    // hot reads a config file as soon as it changes: the second save must not be lost.
    const config = (value: string) => `include = ["src/**"]\nbin = "node src/app.mjs"\n[run]\nenv = { LABEL = "${value}" }\n`;
    project.write('src/app.mjs', "console.log(`label ${process.env.LABEL}`);\nsetInterval(() => {}, 1000);\n");
    await hot.interact(output(/label undefined/));
    await hot.interact(
      act('save the config twice, 20 ms apart', async () => {
        project.write('.hotrc.toml', config('first'));
        // The scenario, not a wait: the second save lands inside chokidar's 50 ms per-file throttle.
        await new Promise((resolve) => setTimeout(resolve, 20));
        project.write('.hotrc.toml', config('second'));
      }),
      output(/label second/),
    );
  });

  it('a file emptied on purpose still restarts the program', async () => {
    const { hot, project } = await start();
    // The new program finds no VERSION to import: proof that it started on the emptied file.
    await hot.interact(act('empty src/version.mjs', () => project.write('src/version.mjs', '')), output(/does not provide an export named 'VERSION'/));
  });

  // Polling compares times and sizes only: such a file gives it nothing to report at all.
  it.runIf(mode === 'native events')('a file put back exactly as it was (content and time) is not a change; a touch is', async () => {
    const { hot, project } = await start(['--verbose']);
    const file = project.path('src/version.mjs');
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 5000);
    /** The same bytes with the time `when`, renamed over the file: one atomic step, as an editor's safe write. */
    const putBack = (when: Date) => {
      writeFileSync(`${file}.tmp`, readFileSync(file));
      utimesSync(`${file}.tmp`, when, when);
      renameSync(`${file}.tmp`, file);
    };
    await hot.interact(
      act('put it back with a new time', () => putBack(at)),
      output(/restarting: src\/version\.mjs changed/),
      output(/up v1/),
      act('put it back again, the same in every way', () => putBack(at)),
      output(/src\/version\.mjs is exactly as when it last changed: not a change/),
      act('touch it', () => utimesSync(file, new Date(at.getTime() + 1000), new Date(at.getTime() + 1000))),
      output(/restarting: src\/version\.mjs changed/),
      output(/up v1/),
    );
    expect(hot.count(/restarting:/)).toBe(2);
  });

  it('temp file renamed over the original (VS Code, many editors)', async () => {
    const { hot, project } = await start();
    await expectOneRestart(hot, project, () => {
      writeFileSync(project.path('src/version.mjs.tmp'), "export const VERSION = 'v2';\n");
      renameSync(project.path('src/version.mjs.tmp'), project.path('src/version.mjs'));
    });
  });

  it('JetBrains safe write (x___jb_tmp___, x___jb_old___)', async () => {
    const { hot, project } = await start();
    await expectOneRestart(hot, project, () => {
      writeFileSync(project.path('src/version.mjs___jb_tmp___'), "export const VERSION = 'v2';\n");
      renameSync(project.path('src/version.mjs'), project.path('src/version.mjs___jb_old___'));
      renameSync(project.path('src/version.mjs___jb_tmp___'), project.path('src/version.mjs'));
      rmSync(project.path('src/version.mjs___jb_old___'));
    });
  });

  it('vim with a backup copy moved aside (x~) and a swap file', async () => {
    const { hot, project } = await start();
    await expectOneRestart(hot, project, () => {
      writeFileSync(project.path('src/.version.mjs.swp'), 'swap');
      renameSync(project.path('src/version.mjs'), project.path('src/version.mjs~'));
      writeFileSync(project.path('src/version.mjs'), "export const VERSION = 'v2';\n");
      rmSync(project.path('src/version.mjs~'));
      rmSync(project.path('src/.version.mjs.swp'));
    });
  });
});

describe('command-line overrides', () => {
  const session = useSession();

  it("--include replaces the config file's include, and --exclude drops files", async () => {
    const project = session.project();
    project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n');
    const hot = session.run(project, ['--include', 'lib/**/*.txt', '--exclude', 'lib/skip/**']);
    await hot.interact(
      output(/^up 0$/m),
      watching(),
      act('write lib/skip/ignored.txt, then lib/notes.txt', () => {
        project.write('lib/skip/ignored.txt', 'x');
        project.write('lib/notes.txt', 'x');
      }),
      output(/restarting: lib\/notes\.txt changed/),
      output(/^up 1$/m),
    );
    expect(hot.output()).not.toContain('ignored.txt');
  });
});
