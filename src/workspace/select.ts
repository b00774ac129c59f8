import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import type { PackageGraph } from './graph.js';
import type { Workspace } from './packages.js';

/**
 * The packages `hot dev` runs at a workspace root: every package with a config, or with `--filter`,
 * the packages named (by name or glob) plus the workspace packages they depend on that have a config.
 */
export function selectPackages(workspace: Workspace, graph: PackageGraph, filters: readonly string[], hasConfig: (name: string) => boolean): string[] {
  const names = workspace.packages.map((pkg) => pkg.name);
  const runnable = names.filter(hasConfig);
  if (filters.length === 0) return runnable;
  const named = new Set<string>();
  for (const filter of filters) {
    const isMatch = picomatch(filter);
    // `api` also finds `@acme/api`: the scope is rarely what people type.
    const matches = names.filter((name) => isMatch(name) || isMatch(name.replace(/^@[^/]+\//, '')));
    if (matches.length === 0) {
      throw new ConfigError(`--filter ${filter}: no workspace package is called that; found: ${names.join(', ') || '(none)'}`, {
        hint: 'give a package name from its package.json, or a glob such as --filter "api*"',
      });
    }
    for (const name of matches) named.add(name);
  }
  const withoutConfig = [...named].filter((name) => !hasConfig(name));
  if (withoutConfig.length === named.size) {
    throw new ConfigError(`--filter: ${withoutConfig.join(', ')} ${withoutConfig.length === 1 ? 'has' : 'have'} no .hotrc.toml, so there is nothing to run`, {
      hint: 'run `hot init` in the package, or filter packages that have one: ' + (runnable.join(', ') || '(none)'),
    });
  }
  const chosen = graph.withDependencies(named);
  return runnable.filter((name) => chosen.has(name));
}
