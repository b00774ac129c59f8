import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createPackageGraph } from '../../../src/workspace/graph.js';
import type { Workspace } from '../../../src/workspace/packages.js';
import { selectPackages } from '../../../src/workspace/select.js';

const workspace: Workspace = {
  root: '/repo',
  sources: ['package.json'],
  problems: [],
  packages: [
    { name: 'shared', dir: '/repo/shared', manifestFile: '/repo/shared/package.json', dependsOn: [] },
    { name: '@acme/api', dir: '/repo/api', manifestFile: '/repo/api/package.json', dependsOn: ['shared', 'types'] },
    { name: 'types', dir: '/repo/types', manifestFile: '/repo/types/package.json', dependsOn: [] },
    { name: 'web', dir: '/repo/web', manifestFile: '/repo/web/package.json', dependsOn: [] },
    { name: 'web-admin', dir: '/repo/web-admin', manifestFile: '/repo/web-admin/package.json', dependsOn: [] },
  ],
};
const graph = createPackageGraph(workspace.packages);
const withConfig = new Set(['shared', '@acme/api', 'web', 'web-admin']);
const select = (filters: string[]): string[] => selectPackages(workspace, graph, filters, (name) => withConfig.has(name));

describe('selectPackages', () => {
  it('runs every package that has a config when nothing is filtered', () => {
    expect(select([])).toEqual(['shared', '@acme/api', 'web', 'web-admin']);
  });

  it('adds the dependencies that have a config to what the filters name', () => {
    expect(select(['api'])).toEqual(['shared', '@acme/api']);
    expect(select(['@acme/api'])).toEqual(['shared', '@acme/api']);
  });

  it('takes globs and repeated filters', () => {
    expect(select(['web*'])).toEqual(['web', 'web-admin']);
    expect(select(['web', 'shared'])).toEqual(['shared', 'web']);
  });

  it('rejects an unknown name, listing the packages found', () => {
    expect(() => select(['nope'])).toThrow(ConfigError);
    expect(() => select(['nope'])).toThrow('--filter nope: no workspace package is called that; found: shared, @acme/api, types, web, web-admin');
  });

  it('rejects a filter that names only packages without a config', () => {
    expect(() => select(['types'])).toThrow('--filter: types has no .hotrc.toml, so there is nothing to run');
  });
});
