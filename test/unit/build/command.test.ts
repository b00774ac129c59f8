import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandBuilder, relocateLeadingPaths, type BuildProcess } from '../../../src/build/command.js';
import type { BuildResult } from '../../../src/events.js';
import { createLogger } from '../../../src/ui/logger.js';

/** A build command that already ran: it printed `output` and exited with `code`. */
function finishedProcess(code: number, output = ''): BuildProcess {
  const merged = new PassThrough();
  const errors = new PassThrough();
  merged.end(output);
  errors.end();
  return {
    exited: Promise.resolve({ code, signal: null }),
    output: merged,
    errorOutput: errors,
    stop: async () => undefined,
    kill: () => undefined,
  };
}

describe('createCommandBuilder', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-command-'));
    dirs.push(dir);
    return dir;
  }

  function build(options: { cwd: string; output: string | null; reportCwd: string; code?: number; printed?: string }): Promise<BuildResult> {
    const builder = createCommandBuilder({
      command: { kind: 'shell', line: 'tsc -p .' },
      cwd: options.cwd,
      output: options.output,
      killSignal: 'SIGTERM',
      killTimeoutMs: 1000,
      logger: createLogger({ level: 'error', write: () => undefined }),
      reportCwd: options.reportCwd,
      spawn: () => finishedProcess(options.code ?? 0, options.printed),
      describe: () => 'tsc -p .',
    });
    return builder.build();
  }

  it('gives a go build its own temp directory per build, and removes it after the build', async () => {
    const seen: Array<{ dir: string | undefined; existed: boolean }> = [];
    const builder = createCommandBuilder({
      command: { kind: 'argv', argv: ['go', 'build', '.'] },
      cwd: os.tmpdir(),
      output: null,
      killSignal: 'SIGINT',
      killTimeoutMs: 1000,
      tempDirVariable: 'GOTMPDIR',
      logger: createLogger({ level: 'error', write: () => undefined }),
      spawn: ({ env }) => {
        seen.push({ dir: env.GOTMPDIR, existed: env.GOTMPDIR !== undefined && existsSync(env.GOTMPDIR) });
        return finishedProcess(0);
      },
      describe: () => 'go build .',
    });
    await builder.build();
    await builder.build();
    expect(seen.map((build) => build.existed)).toEqual([true, true]);
    expect(seen[0]!.dir).not.toBe(seen[1]!.dir);
    for (const { dir } of seen) expect(existsSync(dir!)).toBe(false);
  });

  it('hashes a readable output directory', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist', 'a.js'), 'a\n');
    expect(await build({ cwd: dir, output: path.join(dir, 'dist'), reportCwd: dir })).toMatchObject({ type: 'built', outputChanged: true });
  });

  it('passes over what has no bytes to compare: a FIFO, a dangling symlink, a symlink back up the tree', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist', 'a.js'), 'a\n');
    // Reading a FIFO would block the build forever.
    execFileSync('mkfifo', [path.join(dir, 'dist', 'pipe')]);
    symlinkSync('nowhere', path.join(dir, 'dist', 'dangling'));
    symlinkSync('..', path.join(dir, 'dist', 'up'));
    expect(await build({ cwd: dir, output: path.join(dir, 'dist'), reportCwd: dir })).toMatchObject({ type: 'built' });
  });

  it.each([
    // /proc/self/mem stats as a file but reading it from the start fails, for root too.
    ['a file that cannot be read', (dist: string) => symlinkSync('/proc/self/mem', path.join(dist, 'mem.js')), 'dist/mem.js', 'i/o error (EIO)'],
    ['a symlink loop', (dist: string) => (symlinkSync('b.js', path.join(dist, 'a.js')), symlinkSync('a.js', path.join(dist, 'b.js'))), 'dist/a.js', 'too many symbolic links encountered (ELOOP)'],
  ])('turns %s in build.output into a failed build, not an exception', async (_name, plant, shown, cause) => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'dist'));
    plant(path.join(dir, 'dist'));
    const result = await build({ cwd: dir, output: path.join(dir, 'dist'), reportCwd: dir });
    expect(result.type).toBe('build-failed');
    const lines = (result as { diagnostics: string }).diagnostics.split('\n');
    expect(lines).toEqual([`cannot read the build output ${shown}: ${cause}`, expect.stringMatching(/^hint: /)]);
  });

  it('prints the leading paths of a failed build relative to where hot was started', async () => {
    const dir = tempDir();
    const app = path.join(dir, 'apps', 'api');
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(path.join(app, 'src', 'server.ts'), 'export {};\n');
    const printed = "src/server.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n";
    const result = await build({ cwd: app, output: null, reportCwd: dir, code: 2, printed });
    expect((result as { diagnostics: string }).diagnostics).toBe(
      "apps/api/src/server.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\ntsc -p . exited with code 2",
    );
  });
});

describe('relocateLeadingPaths', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function layout(): { root: string; app: string } {
    const root = mkdtempSync(path.join(os.tmpdir(), 'hot-relocate-'));
    dirs.push(root);
    const app = path.join(root, 'app');
    mkdirSync(path.join(app, 'src'), { recursive: true });
    writeFileSync(path.join(app, 'src', 'a.ts'), '');
    return { root, app };
  }

  it.each([
    ['src/a.ts:3:5 - error TS1005', 'app/src/a.ts:3:5 - error TS1005'],
    ['src/a.ts(3,5): error TS1005', 'app/src/a.ts(3,5): error TS1005'],
    ['  src/a.ts:3:5: indented', '  app/src/a.ts:3:5: indented'],
    ['./src/a.ts:1:1 x', 'app/src/a.ts:1:1 x'],
  ])('rewrites %j', (line, expected) => {
    const { root, app } = layout();
    expect(relocateLeadingPaths(line, app, root)).toBe(expected);
  });

  it.each([
    ['a file that does not exist', 'src/missing.ts:3:5 - error'],
    ['a path without line and column', 'src/a.ts: error'],
    ['words before the path', 'error in src/a.ts:3:5'],
    ['an absolute path', '/etc/hostname:1:1 x'],
    ['a coloured path', '\u001b[96msrc/a.ts\u001b[0m:\u001b[93m3\u001b[0m:\u001b[93m5\u001b[0m - error'],
    ['a stack frame', '    at run (src/a.ts:3:5)'],
  ])('leaves %s alone', (_name, line) => {
    const { root, app } = layout();
    expect(relocateLeadingPaths(line, app, root)).toBe(line);
  });

  it('changes nothing when hot runs in the build cwd', () => {
    const { app } = layout();
    expect(relocateLeadingPaths('src/a.ts:3:5 x', app, app)).toBe('src/a.ts:3:5 x');
  });
});
