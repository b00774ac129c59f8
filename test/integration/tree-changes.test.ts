import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { act, output, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/** The program's start line for its n-th restart. */
const up = (restarts: number) => output(new RegExp(`^up ${restarts}$`, 'm'));

/**
 * Trees change under a running hot: each change restarts once, and what appears stays watched. The
 * same tests run against the native watcher and against polling (chokidar), as one suite.
 */
describe.each(['native events', 'polling'])('changes to the tree itself (%s)', (mode) => {
  const session = useSession();

  async function start(prepare: (project: TempProject) => void = () => {}): Promise<{ hot: HotProcess; project: TempProject }> {
    const project = session.project();
    project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
    project.write('src/keep.ts', 'export {};\n');
    project.write('.hotrc.toml', 'include = ["src/**/*.ts"]\nbin = "node app.mjs"\n');
    prepare(project);
    const hot = session.run(project, ['--verbose'], mode === 'polling' ? { env: { HOT_POLL: '1' } } : {});
    await hot.interact(up(0), watching());
    expect(hot.output()).toContain(mode === 'polling' ? 'polling every' : 'watching .');
    expect(/using chokidar/.test(hot.output())).toBe(false);
    return { hot, project };
  }

  /** Edits `file`, then the sentinel: the one restart that follows names only the sentinel, so `file` was not a change. */
  const notAChange = (project: TempProject, file: string, restarts: number) => [
    act(`edit ${file}, then src/keep.ts`, () => {
      project.write(file, `export const edited = ${restarts};\n`);
      project.write('src/keep.ts', `export const keep = ${restarts};\n`);
    }),
    output(/restarting: src\/keep\.ts changed \(/),
    up(restarts),
  ];

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

  it('watches a directory replaced at once by another (removed, and a staged one moved in)', async () => {
    const { hot, project } = await start((p) => p.write('src/gen/old.ts', 'export {};\n'));
    const staged = session.project();
    staged.write('gen/deep/new.ts', 'export const n = 1;\n');
    await hot.interact(
      act('replace src/gen', () => {
        rmSync(project.path('src/gen'), { recursive: true });
        renameSync(staged.path('gen'), project.path('src/gen'));
      }),
      // Polling may see the new file and the old one's removal apart: one restart or two.
      output(/restarting: src\/gen\/(?:deep\/new|old)\.ts /),
      act('edit the deep file of the new one', () => writeFileSync(project.path('src/gen/deep/new.ts'), 'export const n = 2;\n')),
      // The watcher saw the edit (--verbose), and a restart follows (with polling, the old file's removal may join it).
      output(/^\[hot\] change src\/gen\/deep\/new\.ts$/m),
      output(/restarting: src\/gen\//),
    );
  });

  it('honours a .gitignore below the root', async () => {
    const { hot, project } = await start((p) => p.write('src/generated/.gitignore', '*.gen.ts\n'));
    await hot.interact(...notAChange(project, 'src/generated/api.gen.ts', 1));
    expect(hot.output()).not.toContain('api.gen.ts changed');
  });

  it('applies an edited .gitignore at once, both ways', async () => {
    const { hot, project } = await start((p) => {
      p.write('.gitignore', 'src/vendor/\n');
      p.write('src/vendor/lib.ts', 'export {};\n');
      p.write('src/noisy/log.ts', 'export {};\n');
    });
    await hot.interact(
      ...notAChange(project, 'src/vendor/lib.ts', 1),
      act('ignore src/noisy/ instead of src/vendor/', () => project.write('.gitignore', 'src/noisy/\n')),
      output(/\.gitignore changed: watching by its new rules/),
      act('edit src/vendor/lib.ts', () => project.write('src/vendor/lib.ts', 'export const now = 1;\n')),
      output(/restarting: src\/vendor\/lib\.ts changed/),
      up(2),
      ...notAChange(project, 'src/noisy/log.ts', 3),
    );
    expect(hot.output()).not.toContain('noisy/log.ts changed');
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

describe.each(['native events', 'polling'])('directories that move and go (%s)', (mode) => {
  const session = useSession();

  it('watches a directory tree moved in from elsewhere, down to its deepest files, and restarts when it is removed', async () => {
    const project = session.project();
    const elsewhere = session.project();
    project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
    project.write('.hotrc.toml', 'include = ["src/**/*.ts"]\nbin = "node app.mjs"\n');
    project.write('src/keep.ts', 'export {};\n');
    elsewhere.write('feature/deep/er/x.ts', 'export const x = 1;\n');
    const hot = session.run(project, [], mode === 'polling' ? { env: { HOT_POLL: '1' } } : {});
    await hot.interact(
      up(0),
      watching(),
      act('move a directory tree in', () => renameSync(elsewhere.path('feature'), project.path('src/feature'))),
      output(/restarting: src\/feature\/deep\/er\/x\.ts changed/),
      up(1),
      act('edit its deepest file', () => writeFileSync(project.path('src/feature/deep/er/x.ts'), 'export const x = 2;\n')),
      output(/restarting: src\/feature\/deep\/er\/x\.ts changed/),
      up(2),
      act('add a file deep inside it', () => writeFileSync(project.path('src/feature/deep/y.ts'), 'export const y = 1;\n')),
      output(/restarting: src\/feature\/deep\/y\.ts changed/),
      up(3),
      act('remove the whole tree', () => rmSync(project.path('src/feature'), { recursive: true })),
      output(/restarting: src\/feature\/deep\/\S+\.ts \(\+1 more\) changed/),
      up(4),
    );
    expect(hot.count(/restarting:/)).toBe(4);
  });
});
