import { describe, expect, it } from 'vitest';
import { createPackageGraph } from '../../../src/workspace/graph.js';
import type { WorkspacePackage } from '../../../src/workspace/packages.js';

function pkgs(edges: Record<string, string[]>): WorkspacePackage[] {
  return Object.entries(edges).map(([name, dependsOn]) => ({ name, dir: `/repo/${name}`, manifestFile: `/repo/${name}/package.json`, dependsOn }));
}

describe('createPackageGraph', () => {
  // shared <- api, shared <- lib <- worker, web alone
  const graph = createPackageGraph(pkgs({ shared: [], lib: ['shared'], api: ['shared'], worker: ['lib', 'shared'], web: [] }));

  it('lists the transitive dependents of a change, nearest first', () => {
    expect(graph.dependentsInOrder('shared')).toEqual([['api', 'lib'], ['worker']]);
    expect(graph.dependentsInOrder('lib')).toEqual([['worker']]);
    expect(graph.dependentsInOrder('web')).toEqual([]);
  });

  it('orders a start so that every package comes after its dependencies', () => {
    expect(graph.startOrder(['worker', 'api', 'web', 'shared', 'lib'])).toEqual([['shared', 'web'], ['api', 'lib'], ['worker']]);
    expect(graph.startOrder(['worker', 'api'])).toEqual([['api', 'worker']]);
  });

  it('adds the dependencies of selected packages, transitively', () => {
    expect([...graph.withDependencies(['worker'])].sort()).toEqual(['lib', 'shared', 'worker']);
    expect([...graph.withDependencies(['web'])]).toEqual(['web']);
  });

  it('reports a cycle and still orders and propagates around it', () => {
    const cyclic = createPackageGraph(pkgs({ a: ['b'], b: ['a'], c: ['a'], d: [] }));
    expect(cyclic.cycles).toEqual([['a', 'b']]);
    expect(cyclic.startOrder(['a', 'b', 'c', 'd']).flat().sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(cyclic.dependentsInOrder('a').flat().sort()).toEqual(['b', 'c']);
    expect(cyclic.dependentsInOrder('d')).toEqual([]);
  });

  it('ignores a package that names itself', () => {
    const selfish = createPackageGraph(pkgs({ a: ['a'] }));
    expect(selfish.cycles).toEqual([]);
    expect(selfish.dependentsInOrder('a')).toEqual([]);
  });
});
