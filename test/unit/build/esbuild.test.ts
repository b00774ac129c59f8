import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Builder } from '../../../src/build/builder.js';
import { createEsbuildBuilder } from '../../../src/build/esbuild.js';
import { createLogger } from '../../../src/ui/logger.js';

/**
 * The esbuild builder on a real temp project. Tests run as root, so permissions cannot make a write
 * fail: the failures come from paths that fail for root too (a file in the way, a directory as the
 * outfile, a symlink to /dev/full).
 */
describe('createEsbuildBuilder', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function project(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-esbuild-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'main.ts'), "import { value } from './value';\nconsole.log(value);\n");
    writeFileSync(path.join(dir, 'src', 'value.ts'), 'export const value: number = 1;\n');
    return dir;
  }

  function builder(root: string, outfile: string, cwd = root): { builder: Builder; log: () => string } {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (text) => lines.push(text) });
    const built = createEsbuildBuilder({ root, entry: path.join(root, 'src', 'main.ts'), outfile, bundlePackages: [], logger, color: false, cwd });
    cleanups.push(() => built.close());
    return { builder: built, log: () => lines.join('') };
  }

  it('writes the bundle and its source map', async () => {
    const root = project();
    const result = await builder(root, path.join(root, 'dist', 'main.mjs')).builder.build();
    expect(result).toMatchObject({ type: 'built', outputChanged: true });
    expect(readFileSync(path.join(root, 'dist', 'main.mjs'), 'utf8')).toContain('console.log');
    expect(existsSync(path.join(root, 'dist', 'main.mjs.map'))).toBe(true);
  });

  it.each([
    ['a file where the outfile directory should be', 'blocker/main.mjs', /^cannot write the bundle to blocker\/main\.mjs: file already exists \(EEXIST\)$/, /^hint: blocker is a file, not a directory: remove it, or set build\.outfile/],
    ['a file two levels up', 'blocker/deeper/main.mjs', /^cannot write the bundle to blocker\/deeper\/main\.mjs: not a directory \(ENOTDIR\)$/, /^hint: blocker is a file, not a directory/],
    ['a directory as the outfile', 'taken/main.mjs', /^cannot write the bundle to taken\/main\.mjs: is a directory \(EISDIR\)$/, /^hint: a directory is where the file should be/],
    ['a full disk', 'full/main.mjs', /^cannot write the bundle to full\/main\.mjs: no space left on device \(ENOSPC\)$/, /^hint: free some disk space/],
  ])('turns %s into a failed build, not an exception', async (_name, outfile, message, hint) => {
    const root = project();
    writeFileSync(path.join(root, 'blocker'), 'in the way\n');
    mkdirSync(path.join(root, 'taken', 'main.mjs'), { recursive: true });
    mkdirSync(path.join(root, 'full'));
    // /dev/full takes no bytes: every write to it fails with ENOSPC, for root too.
    symlinkSync('/dev/full', path.join(root, 'full', 'main.mjs'));
    const result = await builder(root, path.join(root, outfile)).builder.build();
    expect(result.type).toBe('build-failed');
    const lines = (result as { diagnostics: string }).diagnostics.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(hint);
  });

  it('builds again once the file in the way is gone', async () => {
    const root = project();
    writeFileSync(path.join(root, 'blocker'), 'in the way\n');
    const { builder: built } = builder(root, path.join(root, 'blocker', 'main.mjs'));
    expect((await built.build()).type).toBe('build-failed');
    rmSync(path.join(root, 'blocker'));
    expect(await built.build()).toMatchObject({ type: 'built', outputChanged: true });
    expect(existsSync(path.join(root, 'blocker', 'main.mjs'))).toBe(true);
  });

  it('prints the paths of errors relative to the cwd hot was started in', async () => {
    const root = project();
    const cwd = path.dirname(root);
    writeFileSync(path.join(root, 'src', 'value.ts'), "export const value: number = = 1;\n");
    const result = await builder(root, path.join(root, 'dist', 'main.mjs'), cwd).builder.build();
    expect(result.type).toBe('build-failed');
    const diagnostics = (result as { diagnostics: string }).diagnostics;
    expect(diagnostics).toContain(`${path.basename(root)}/src/value.ts:1:`);
  });

  it('keeps the paths as esbuild gives them when the cwd is the project root', async () => {
    const root = project();
    writeFileSync(path.join(root, 'src', 'value.ts'), "export const value: number = = 1;\n");
    const result = await builder(root, path.join(root, 'dist', 'main.mjs')).builder.build();
    expect((result as { diagnostics: string }).diagnostics).toMatch(/^✘ \[ERROR\] .*\n\n {4}src\/value\.ts:1:\d+:/m);
  });

  it('prints the paths of warnings relative to the cwd too', async () => {
    const root = project();
    writeFileSync(path.join(root, 'src', 'value.ts'), 'export const value = typeof x === "undefined" ? 1 : 2;\nif (value == -0) {}\n');
    const { builder: built, log } = builder(root, path.join(root, 'dist', 'main.mjs'), path.dirname(root));
    expect((await built.build()).type).toBe('built');
    expect(log()).toContain(`${path.basename(root)}/src/value.ts:2:`);
  });

  it('describes itself with the entry relative to the cwd', () => {
    const root = project();
    expect(builder(root, path.join(root, 'dist', 'main.mjs'), path.dirname(root)).builder.description).toBe(`esbuild ${path.basename(root)}/src/main.ts`);
  });
});
