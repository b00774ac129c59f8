import type { WorkspacePackage } from './packages.js';

/**
 * The dependency graph between workspace packages, pure. Edges inside a cycle are dropped for
 * ordering, so a cycle never blocks starting or propagating; `cycles` reports them.
 */
export interface PackageGraph {
  /** Each cycle as the names along it, e.g. ["a", "b"] for a -> b -> a. */
  readonly cycles: readonly string[][];
  /** `names` plus every package they depend on, directly or transitively. */
  withDependencies(names: Iterable<string>): Set<string>;
  /** The packages in groups: each group depends only on earlier groups. */
  startOrder(names: Iterable<string>): string[][];
  /**
   * Every package that depends on `changed`, directly or transitively, grouped so that each group
   * comes after all the groups it depends on.
   */
  dependentsInOrder(changed: string): string[][];
}

export function createPackageGraph(packages: readonly WorkspacePackage[]): PackageGraph {
  const dependsOn = new Map(packages.map((pkg) => [pkg.name, pkg.dependsOn.filter((name) => name !== pkg.name)]));
  const cycles = findCycles(dependsOn);
  const cycleOf = new Map<string, number>();
  cycles.forEach((cycle, index) => cycle.forEach((name) => cycleOf.set(name, index)));
  const isCycleEdge = (from: string, to: string): boolean => cycleOf.has(from) && cycleOf.get(from) === cycleOf.get(to);
  const edges = new Map([...dependsOn].map(([name, deps]) => [name, deps.filter((dep) => !isCycleEdge(name, dep))]));
  const dependents = new Map<string, string[]>(packages.map((pkg) => [pkg.name, []]));
  // Reach follows every edge, a cycle's included; only the ordering ignores cycle edges.
  for (const [name, deps] of dependsOn) for (const dep of deps) dependents.get(dep)?.push(name);

  /** Groups `members` by their longest chain of `incoming` edges inside `members`. */
  const layer = (members: Set<string>, incoming: Map<string, string[]>): string[][] => {
    const depth = new Map<string, number>();
    const visit = (name: string): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      depth.set(name, 0); // guards against re-entry; the graph has no cycles left
      const before = (incoming.get(name) ?? []).filter((other) => members.has(other));
      const value = before.length === 0 ? 0 : 1 + Math.max(...before.map(visit));
      depth.set(name, value);
      return value;
    };
    const groups: string[][] = [];
    for (const name of [...members].sort()) {
      const value = visit(name);
      (groups[value] ??= []).push(name);
    }
    return groups.filter(Boolean);
  };

  return {
    cycles,
    withDependencies(names) {
      const result = new Set<string>();
      const add = (name: string): void => {
        if (result.has(name)) return;
        result.add(name);
        for (const dep of dependsOn.get(name) ?? []) add(dep);
      };
      for (const name of names) add(name);
      return result;
    },
    startOrder(names) {
      return layer(new Set(names), edges);
    },
    dependentsInOrder(changed) {
      const reached = new Set<string>();
      const walk = (name: string): void => {
        for (const next of dependents.get(name) ?? []) {
          if (reached.has(next) || next === changed) continue;
          reached.add(next);
          walk(next);
        }
      };
      walk(changed);
      // Depth counts only edges among the dependents: those next to `changed` come first.
      return layer(reached, edges);
    },
  };
}

/** Strongly connected components with more than one member (Tarjan). */
function findCycles(dependsOn: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (name: string): void => {
    index.set(name, counter);
    low.set(name, counter);
    counter++;
    stack.push(name);
    onStack.add(name);
    for (const dep of dependsOn.get(name) ?? []) {
      if (!dependsOn.has(dep)) continue;
      if (!index.has(dep)) {
        connect(dep);
        low.set(name, Math.min(low.get(name)!, low.get(dep)!));
      } else if (onStack.has(dep)) {
        low.set(name, Math.min(low.get(name)!, index.get(dep)!));
      }
    }
    if (low.get(name) !== index.get(name)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== name);
    if (component.length > 1) cycles.push(component.reverse());
  };
  for (const name of [...dependsOn.keys()].sort()) if (!index.has(name)) connect(name);
  return cycles;
}
