import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDE } from '../../../src/config/schema.js';
import { createPathFilter, type PathFilterOptions } from '../../../src/watch/filter.js';

const ROOT = path.resolve('/proj');
const at = (relative: string): string => path.join(ROOT, relative);

function filter(options: Partial<PathFilterOptions> = {}) {
  return createPathFilter({
    root: ROOT,
    include: ['src/**/*.ts', '*.json'],
    exclude: [...DEFAULT_EXCLUDE, 'dist/**', '**/*.test.ts'],
    gitignoreRules: null,
    outputs: [],
    alwaysWatch: [],
    ...options,
  });
}

describe('createPathFilter: include and exclude', () => {
  it.each([
    ['src/a.ts', true],
    ['src/deep/b.ts', true],
    ['package.json', true],
    ['src/a.js', false],
    ['lib/a.ts', false],
    ['src/a.test.ts', false],
    ['src/node_modules/x/index.ts', false],
    ['dist/server.ts', false],
    ['src/.a.ts.swp', false],
  ])('isIncluded(%s) is %s', (relative, expected) => {
    expect(filter().isIncluded(at(relative))).toBe(expected);
  });

  it('prunes directories whose every file is excluded, but not their look-alikes', () => {
    const f = filter();
    expect(f.isIgnored(at('node_modules'), true)).toBe(true);
    expect(f.isIgnored(at('packages/a/node_modules'), true)).toBe(true);
    expect(f.isIgnored(at('.git'), true)).toBe(true);
    expect(f.isIgnored(at('dist'), true)).toBe(true);
    expect(f.isIgnored(at('distribution'), true)).toBe(false);
    expect(f.isIgnored(at('src'), true)).toBe(false);
    expect(f.isIgnored(at('src/a.test.ts'), false)).toBe(true);
  });

  it('never ignores the root and always ignores paths outside it', () => {
    const f = filter();
    expect(f.isIgnored(ROOT, true)).toBe(false);
    expect(f.isIgnored(path.resolve('/other/src/a.ts'))).toBe(true);
    expect(f.isIncluded(path.resolve('/other/src/a.ts'))).toBe(false);
    expect(f.isIncluded(ROOT)).toBe(false);
  });

  it('includes nothing with an empty include list', () => {
    expect(filter({ include: [] }).isIncluded(at('src/a.ts'))).toBe(false);
  });
});

describe('createPathFilter: .gitignore', () => {
  const rules = ['*.log', 'build/', '/generated', '!keep.log'].join('\n');

  it.each([
    ['src/a.log', true],
    ['keep.log', false],
    ['build/out.ts', true],
    ['src/build/out.ts', true],
    ['generated/a.ts', true],
    ['src/generated/a.ts', false],
  ])('isIgnored(%s) is %s', (relative, expected) => {
    expect(filter({ gitignoreRules: rules }).isIgnored(at(relative), false)).toBe(expected);
  });

  it('applies a directory-only rule to directories, not to a file of that name', () => {
    const f = filter({ gitignoreRules: rules });
    expect(f.isIgnored(at('build'), true)).toBe(true);
    expect(f.isIgnored(at('src/build'), true)).toBe(true);
    expect(f.isIgnored(at('build'), false)).toBe(false);
  });

  it('is not consulted when gitignore rules are null', () => {
    expect(filter({ gitignoreRules: null }).isIgnored(at('build'), true)).toBe(false);
  });
});

describe('createPathFilter: nested .gitignore files', () => {
  const files: Record<string, string> = { [at('src/gen')]: '*.gen.ts\n/only-here.ts\n', [at('src')]: 'tmp/\n' };
  const read = (dir: string): string | null => files[dir] ?? null;

  it.each([
    ['src/gen/api.gen.ts', false, true],
    ['src/gen/deeper/api.gen.ts', false, true],
    ['src/api.gen.ts', false, false],
    ['src/gen/only-here.ts', false, true],
    ['src/gen/deeper/only-here.ts', false, false],
    ['src/tmp', true, true],
    ['src/gen/tmp/a.ts', false, true],
    ['tmp/a.ts', false, false],
  ])('isIgnored(%s) is %s', (relative, isDirectory, expected) => {
    expect(filter({ gitignoreRules: '', readNestedGitignore: read }).isIgnored(at(relative), isDirectory)).toBe(expected);
  });

  it('lets a deeper !pattern take back what a shallower .gitignore ignores, as git does', () => {
    const f = filter({ gitignoreRules: '*.gen.ts\n', readNestedGitignore: (dir) => (dir === at('src') ? '!keep.gen.ts\n' : null) });
    expect(f.isIgnored(at('src/keep.gen.ts'), false)).toBe(false);
    expect(f.isIgnored(at('src/other.gen.ts'), false)).toBe(true);
    expect(f.isIgnored(at('keep.gen.ts'), false)).toBe(true);
  });

  it('reads each directory\'s file once, and none when gitignore is off', () => {
    const asked: string[] = [];
    const counting = (dir: string): string | null => {
      asked.push(dir);
      return read(dir);
    };
    const f = filter({ gitignoreRules: '', readNestedGitignore: counting });
    f.isIgnored(at('src/gen/a.ts'), false);
    f.isIgnored(at('src/gen/b.ts'), false);
    expect(asked.sort()).toEqual([at('src'), at('src/gen')]);
    const off = filter({ gitignoreRules: null, readNestedGitignore: counting });
    expect(off.isIgnored(at('src/gen/api.gen.ts'), false)).toBe(false);
  });
});

describe('createPathFilter: outputs and always-watched files', () => {
  it('never watches build outputs, file or directory', () => {
    const f = filter({ include: ['**/*'], outputs: [at('out'), at('bundle.mjs')] });
    expect(f.isIgnored(at('out'), true)).toBe(true);
    expect(f.isIncluded(at('out/a.js'))).toBe(false);
    expect(f.isIncluded(at('bundle.mjs'))).toBe(false);
    expect(f.isIncluded(at('outside.js'))).toBe(true);
  });

  it('always includes the config and env files, even if excluded, gitignored or outside the root', () => {
    const envFile = at('.env');
    const shared = path.resolve('/shared/.env');
    const f = filter({ exclude: ['**/.env'], gitignoreRules: '.env', alwaysWatch: [envFile, shared] });
    expect(f.isIncluded(envFile)).toBe(true);
    expect(f.isIgnored(envFile)).toBe(false);
    expect(f.isIncluded(shared)).toBe(true);
    expect(f.isIgnored(shared)).toBe(false);
  });
});

describe('createPathFilter: edge names', () => {
  it('does not prune every directory when hidden files are excluded', () => {
    const f = filter({ exclude: ['**/.*'] });
    expect(f.isIgnored(at('src'), true)).toBe(false);
    expect(f.isIgnored(at('.cache'), true)).toBe(true);
    expect(f.isIncluded(at('src/a.ts'))).toBe(true);
  });

  it('keeps a file whose name starts with two dots inside the root', () => {
    const f = filter({ include: ['*.ts'] });
    expect(f.isIgnored(at('..foo.ts'))).toBe(false);
    expect(f.isIncluded(at('..foo.ts'))).toBe(true);
    expect(f.isIgnored(path.resolve(ROOT, '..', 'other.ts'))).toBe(true);
  });
});

describe('createPathFilter: directory patterns with a trailing slash', () => {
  const go = () => filter({ include: ['**/*.go', '**/*.txt'], exclude: [...DEFAULT_EXCLUDE, 'testdata/', 'web/static/', 'tmp/'] });

  it.each([
    ['main.go', true],
    ['testdata/input.txt', false],
    ['pkg/parse/testdata/case.txt', false],
    ['testdata.go', true],
    ['mytestdata/a.go', true],
    ['web/static/app.txt', false],
    ['other/web/static/app.txt', true],
    ['tmp/app.go', false],
  ])('isIncluded(%s) is %s', (relative, expected) => {
    expect(go().isIncluded(at(relative))).toBe(expected);
  });

  it('prunes the named directory whole, at any depth without another slash', () => {
    const f = go();
    expect(f.isIgnored(at('testdata'), true)).toBe(true);
    expect(f.isIgnored(at('pkg/parse/testdata'), true)).toBe(true);
    expect(f.isIgnored(at('web/static'), true)).toBe(true);
    expect(f.isIgnored(at('web'), true)).toBe(false);
  });

  it('includes everything below an included directory', () => {
    const f = filter({ include: ['templates/'] });
    expect(f.isIncluded(at('templates/index.tmpl'))).toBe(true);
    expect(f.isIncluded(at('src/templates/index.tmpl'))).toBe(true);
    expect(f.isIncluded(at('main.go'))).toBe(false);
  });
});
