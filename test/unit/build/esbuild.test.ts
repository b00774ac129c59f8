import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Builder } from '../../../src/build/builder.js';
import type { CacheDir } from '../../../src/config/schema.js';
import { createEsbuildBuilder } from '../../../src/build/esbuild.js';
import { createLogger } from '../../../src/ui/logger.js';

/**
 * The esbuild builder on a real temp project. Tests run as root, so permissions cannot make a write
 * fail: the failures come from paths that fail for root too (a file in the way, a directory as the
 * outfile), and "another user" is a directory chowned to uid 1234.
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

  function builder(root: string, outfile: string, cwd = root, cache: CacheDir | null = null): { builder: Builder; log: () => string } {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (text) => lines.push(text) });
    const built = createEsbuildBuilder({ root, entry: path.join(root, 'src', 'main.ts'), outfile, bundlePackages: [], logger, color: false, cwd, cache });
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
  ])('turns %s into a failed build, not an exception', async (_name, outfile, message, hint) => {
    const root = project();
    writeFileSync(path.join(root, 'blocker'), 'in the way\n');
    mkdirSync(path.join(root, 'taken', 'main.mjs'), { recursive: true });
    const result = await builder(root, path.join(root, outfile)).builder.build();
    expect(result.type).toBe('build-failed');
    const lines = (result as { diagnostics: string }).diagnostics.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(hint);
  });

  it('replaces a symbolic link planted at the outfile and its map, never writing through them', async () => {
    const root = project();
    const victim = path.join(root, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    mkdirSync(path.join(root, 'dist'));
    symlinkSync(victim, path.join(root, 'dist', 'main.mjs'));
    symlinkSync(victim, path.join(root, 'dist', 'main.mjs.map'));
    expect(await builder(root, path.join(root, 'dist', 'main.mjs')).builder.build()).toMatchObject({ type: 'built', outputChanged: true });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(path.join(root, 'dist', 'main.mjs')).isFile()).toBe(true);
    expect(readFileSync(path.join(root, 'dist', 'main.mjs'), 'utf8')).toContain('console.log');
    expect(lstatSync(path.join(root, 'dist', 'main.mjs.map')).isFile()).toBe(true);
    // Nothing left behind but the two outputs.
    expect(readdirSync(path.join(root, 'dist')).sort()).toEqual(['main.mjs', 'main.mjs.map']);
  });

  describe("in hot's private cache", () => {
    function privateCache(): CacheDir {
      const base = mkdtempSync(path.join(os.tmpdir(), 'hot-esbuild-cache-'));
      cleanups.push(() => rmSync(base, { recursive: true, force: true }));
      return { dir: path.join(base, 'hot', 'app-0123'), privateBase: base };
    }

    it('writes the bundle and map readable by the user only, in directories of mode 0700', async () => {
      const root = project();
      const cache = privateCache();
      const outfile = path.join(cache.dir, 'src__main.mjs');
      expect((await builder(root, outfile, root, cache).builder.build()).type).toBe('built');
      expect(statSync(path.join(cache.privateBase!, 'hot')).mode & 0o777).toBe(0o700);
      expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
      expect(statSync(outfile).mode & 0o777).toBe(0o600);
      expect(statSync(`${outfile}.map`).mode & 0o777).toBe(0o600);
    });

    it('refuses to start on a cache directory that is a symbolic link', () => {
      const root = project();
      const cache = privateCache();
      symlinkSync(root, path.join(cache.privateBase!, 'hot'));
      expect(() => builder(root, path.join(cache.dir, 'src__main.mjs'), root, cache)).toThrow(/hot's cache directory .*\/hot is a symbolic link: refusing to use it/);
    });

    it('fails the build, writing nothing, when another user has made the cache directory since', async () => {
      const root = project();
      const cache = privateCache();
      const { builder: built } = builder(root, path.join(cache.dir, 'src__main.mjs'), root, cache);
      // As when the temp directory's cleaner removed it and someone else made it again.
      rmSync(cache.dir, { recursive: true });
      mkdirSync(cache.dir, { mode: 0o777 });
      chownSync(cache.dir, 1234, 1234);
      const result = await built.build();
      expect(result.type).toBe('build-failed');
      expect((result as { diagnostics: string }).diagnostics).toMatch(/^hot's cache directory .* belongs to another user \(uid 1234\): refusing to use it\nhint: /);
      expect(readdirSync(cache.dir)).toEqual([]);
    });
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
