import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../../src/workspace/packages.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, unknown>): string {
  root = mkdtempSync(path.join(os.tmpdir(), 'hot-ws-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

describe('loadWorkspace', () => {
  it('is null where no workspace is declared', () => {
    expect(loadWorkspace(tree({ 'package.json': { name: 'app' } }))).toBeNull();
  });

  it('reads npm/yarn workspaces, globs and negations, and the dependencies between packages', () => {
    const workspace = loadWorkspace(
      tree({
        'package.json': { workspaces: ['packages/*', 'apps/**', '!packages/skip'] },
        'packages/shared/package.json': { name: 'shared' },
        'packages/api/package.json': { name: 'api', dependencies: { shared: 'workspace:*', express: '^4' }, devDependencies: { tools: '*' } },
        'packages/skip/package.json': { name: 'skip' },
        'packages/no-manifest/readme.md': 'not a package',
        'apps/deep/web/package.json': { name: 'web', peerDependencies: { shared: '*' } },
        'apps/deep/web/node_modules/x/package.json': { name: 'x' },
        'tools/package.json': { name: 'tools' },
      }),
    )!;
    expect(workspace.sources).toEqual(['package.json']);
    expect(workspace.packages.map((pkg) => [pkg.name, pkg.dependsOn])).toEqual([
      ['api', ['shared']],
      ['shared', []],
      ['web', ['shared']],
    ]);
    expect(workspace.problems).toEqual([]);
  });

  it('reads yarn\'s { packages } form and pnpm-workspace.yaml', () => {
    expect(loadWorkspace(tree({ 'package.json': { workspaces: { packages: ['libs/*'] } }, 'libs/a/package.json': { name: 'a' } }))!.packages.map((p) => p.name)).toEqual(['a']);
    rmSync(root, { recursive: true, force: true });
    const pnpm = loadWorkspace(tree({ 'pnpm-workspace.yaml': "# services\npackages:\n  - 'services/*'\n", 'services/b/package.json': { name: 'b' } }))!;
    expect(pnpm.sources).toEqual(['pnpm-workspace.yaml']);
    expect(pnpm.packages.map((p) => p.name)).toEqual(['b']);
  });

  it('leaves out a package whose package.json does not parse, naming file, line and column', () => {
    const workspace = loadWorkspace(
      tree({ 'package.json': { workspaces: ['packages/*'] }, 'packages/ok/package.json': { name: 'ok' }, 'packages/bad/package.json': '{\n  "name": "bad",\n}' }),
    )!;
    expect(workspace.packages.map((p) => p.name)).toEqual(['ok']);
    expect(workspace.problems).toHaveLength(1);
    expect(workspace.problems[0]!.message).toMatch(/^packages\/bad\/package\.json:3:1: invalid JSON: .*; this package is left out$/);
  });

  it('leaves out both packages that share a name', () => {
    const workspace = loadWorkspace(
      tree({ 'package.json': { workspaces: ['p/*'] }, 'p/a/package.json': { name: 'same' }, 'p/b/package.json': { name: 'same' }, 'p/c/package.json': { name: 'c', dependencies: { same: '*' } } }),
    )!;
    expect(workspace.packages.map((p) => p.name)).toEqual(['c']);
    expect(workspace.packages[0]!.dependsOn).toEqual([]);
    expect(workspace.problems[0]!.message).toBe('two packages are named "same" (p/a/package.json and p/b/package.json): both are left out until one is renamed');
  });

  it('explains a workspaces field of the wrong shape and invalid YAML', () => {
    expect(() => loadWorkspace(tree({ 'package.json': { workspaces: 'packages/*' } }))).toThrow('"workspaces" must be a list of globs');
    rmSync(root, { recursive: true, force: true });
    expect(() => loadWorkspace(tree({ 'pnpm-workspace.yaml': 'packages: [a\n' }))).toThrow(/^pnpm-workspace\.yaml:\d+:\d+: invalid YAML/);
  });
});
