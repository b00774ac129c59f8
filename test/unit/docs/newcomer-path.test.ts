import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT } from '../../helpers/project.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as { name: string; bin: Record<string, string>; scripts: Record<string, string> };

describe("the README's newcomer path", () => {
  it('runs the demo on a git-ignored copy, never in fixtures/ (the tests copy those)', () => {
    const demo = manifest.scripts.demo!;
    expect(demo).toMatch(/cpSync\('fixtures\/projects\/esbuild-basic', '\.demo'/);
    expect(demo).toMatch(/&& cd \.demo && node \.\.\/dist\/cli\/main\.cjs$/);
    expect(read('.gitignore').split('\n')).toContain('.demo/');
  });

  it('tells the newcomer to edit a file of that copy, one the demo fixture has', () => {
    const readme = read('README.md');
    expect(readme).toMatch(/edit\s+`\.demo\/src\/version\.ts`/);
    expect(readme).not.toMatch(/edit\s+`fixtures\//);
    expect(existsSync(path.join(FIXTURES, 'projects', 'esbuild-basic', 'src', 'version.ts'))).toBe(true);
  });

  it('says how to install: the package hot-cli, whose only command is hot (so `npx hot-cli` runs it)', () => {
    expect(manifest.name).toBe('hot-cli');
    expect(manifest.bin).toEqual({ hot: 'dist/cli/main.cjs' });
    const readme = read('README.md');
    expect(readme).toContain('npm i -D hot-cli');
    expect(readme).toContain('npx hot-cli');
  });
});
