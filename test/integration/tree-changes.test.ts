import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, output, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/** The program's start line for its n-th restart. */
const up = (restarts: number) => output(new RegExp(`^up ${restarts}$`, 'm'));

/** Trees change under a running hot: each change restarts once, and what appears stays watched. */
describe('changes to the tree itself', () => {
  const session = useSession();

  async function start(extraConfig = ''): Promise<{ hot: HotProcess; project: TempProject }> {
    const project = session.project();
    project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
    project.write('src/keep.ts', 'export {};\n');
    project.write('.hotrc.toml', `include = ["src/**/*.ts"]\nbin = "node app.mjs"\n${extraConfig}`);
    const hot = session.run(project, []);
    await hot.interact(up(0), watching());
    return { hot, project };
  }

  it('watches a directory created later, and files inside it after that', async () => {
    const { hot, project } = await start();
    await hot.interact(
      act('create src/later/deeper/a.ts', () => {
        mkdirSync(project.path('src/later/deeper'), { recursive: true });
        writeFileSync(project.path('src/later/deeper/a.ts'), 'export const a = 1;\n');
      }),
      up(1),
      act('edit it', () => writeFileSync(project.path('src/later/deeper/a.ts'), 'export const a = 2;\n')),
      output(/restarting: src\/later\/deeper\/a\.ts changed/),
      up(2),
    );
  });

  it('restarts once for a file deleted and created again, and keeps watching it', async () => {
    const { hot, project } = await start();
    await hot.interact(
      act('delete src/keep.ts and create it again', () => {
        rmSync(project.path('src/keep.ts'));
        writeFileSync(project.path('src/keep.ts'), 'export const again = 1;\n');
      }),
      up(1),
      act('edit it', () => writeFileSync(project.path('src/keep.ts'), 'export const again = 2;\n')),
      up(2),
    );
    expect(hot.count(/restarting:/)).toBe(2);
  });

  it('follows a renamed directory', async () => {
    const { hot, project } = await start();
    await hot.interact(
      act('create src/old/b.ts', () => project.write('src/old/b.ts', 'export const b = 1;\n')),
      up(1),
      act('rename src/old to src/new', () => renameSync(project.path('src/old'), project.path('src/new'))),
      up(2),
      act('edit src/new/b.ts', () => writeFileSync(project.path('src/new/b.ts'), 'export const b = 2;\n')),
      output(/restarting: src\/new\/b\.ts changed/),
    );
  });

  it('watches a symlinked source directory', async () => {
    const outside = session.project();
    outside.write('shared.ts', 'export const shared = 1;\n');
    const { hot, project } = await start();
    await hot.interact(
      act('link src/linked to a directory outside', () => symlinkSync(outside.dir, project.path('src/linked'), 'dir')),
      up(1),
      act('edit a file through it', () => writeFileSync(path.join(outside.dir, 'shared.ts'), 'export const shared = 2;\n')),
      output(/restarting: src\/linked\/shared\.ts changed/),
    );
  });

  it('never reacts to an emacs lock file', async () => {
    const { hot, project } = await start();
    await hot.interact(
      act('make an emacs lock file, then edit', () => {
        symlinkSync('user@host.1234:1700000000', project.path('src/.#keep.ts'));
        writeFileSync(project.path('src/keep.ts'), 'export const edited = 1;\n');
      }),
      output(/restarting: src\/keep\.ts changed \(/),
    );
    expect(hot.output()).not.toContain('.#keep');
  });
});
