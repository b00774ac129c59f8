import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Builder } from '../../../src/build/builder.js';
import { createEsbuildBuilder, withColumnsFromOne } from '../../../src/build/esbuild.js';
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

  function builder(root: string, outfile: string | null, cwd = root): { builder: Builder; log: () => string } {
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

  describe('in place (no outfile): the gate and the graph only', () => {
    const outputChanged = (result: { type: string }) => (result as { outputChanged?: boolean }).outputChanged;

    it('writes nothing, and compares the output bytes in memory', async () => {
      const root = project();
      const { builder: built } = builder(root, null);
      expect(outputChanged(await built.build())).toBe(true);
      expect(readdirSync(root)).toEqual(['src']);
      const value = path.join(root, 'src', 'value.ts');
      expect(built.isInput(value)).toBe(true);
      // A comment is not in the output: nothing the program runs changed.
      writeFileSync(value, '// the value\nexport const value: number = 1;\n');
      expect(outputChanged(await built.build([value]))).toBe(false);
      writeFileSync(value, 'export const value: number = 2;\n');
      expect(outputChanged(await built.build([value]))).toBe(true);
    });

    it('counts a changed file outside the graph as changed: the program may load it at run time', async () => {
      const root = project();
      const { builder: built } = builder(root, null);
      await built.build();
      const route = path.join(root, 'src', 'routes', 'hello.ts');
      mkdirSync(path.dirname(route));
      writeFileSync(route, 'export const path = "/hello";\n');
      expect(built.isInput(route)).toBe(false);
      expect(outputChanged(await built.build([route]))).toBe(true);
    });

    it('fails on a syntax error in a changed module outside the graph, naming its line', async () => {
      const root = project();
      const { builder: built } = builder(root, null);
      await built.build();
      const route = path.join(root, 'src', 'route.ts');
      writeFileSync(route, 'export const route = ;\n');
      const result = await built.build([route]);
      expect(result.type).toBe('build-failed');
      expect((result as { diagnostics: string }).diagnostics).toMatch(/src\/route\.ts:1:\d+/);
      writeFileSync(route, "export const route = '/';\n");
      expect(outputChanged(await built.build([route]))).toBe(true);
    });

    it('remembers the changes of failed builds for the next good one', async () => {
      const root = project();
      const { builder: built } = builder(root, null);
      await built.build();
      const main = path.join(root, 'src', 'main.ts');
      const good = readFileSync(main, 'utf8');
      const data = path.join(root, 'src', 'routes.ts');
      writeFileSync(data, 'export {};\n');
      writeFileSync(main, 'const = ;\n');
      expect((await built.build([data, main])).type).toBe('build-failed');
      writeFileSync(main, good);
      // The output is as before, but src/routes.ts changed while the build was failing.
      expect(outputChanged(await built.build([main]))).toBe(true);
      expect(outputChanged(await built.build([main]))).toBe(false);
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

  it('counts columns from 1, as tsc and editors do, where esbuild counts from 0', async () => {
    const root = project();
    // The `;` esbuild stops at is the 30th character of the line.
    writeFileSync(path.join(root, 'src', 'value.ts'), 'export const value: number = ;\n');
    const result = await builder(root, path.join(root, 'dist', 'main.mjs')).builder.build();
    expect((result as { diagnostics: string }).diagnostics).toMatch(/^ {4}src\/value\.ts:1:30:$/m);
    // In characters, where esbuild counts UTF-8 bytes: two accented letters and an emoji before it take 8 bytes, 4 characters.
    writeFileSync(path.join(root, 'src', 'value.ts'), "export const value = { 'éé😀': = 1 };\n");
    const accented = await builder(root, path.join(root, 'dist', 'main.mjs')).builder.build();
    expect((accented as { diagnostics: string }).diagnostics).toMatch(new RegExp(`^ {4}src/value\\.ts:1:${"export const value = { 'éé😀': =".length}:$`, 'm'));
  });

  it('moves each location of a message once, its notes\' too, in the order they are written', () => {
    const at = (line: number, column: number) => ({ file: 'a.ts', namespace: 'file', line, column, length: 1, lineText: 'const b = a + c + d;', suggestion: '' });
    const text = 'x\n    a.ts:2:13:\n  note\n    a.ts:2:14:\n';
    expect(withColumnsFromOne(text, { location: at(2, 13), notes: [{ text: 'note', location: at(2, 14) }] })).toBe('x\n    a.ts:2:14:\n  note\n    a.ts:2:15:\n');
    expect(withColumnsFromOne('no location\n', { location: null, notes: [] })).toBe('no location\n');
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
