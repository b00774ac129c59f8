import { CONFIG_FILE_NAME, type ResolvedConfig } from '../config/schema.js';
import { ConfigError, isHotError } from '../errors.js';
import { relativeTo } from '../ui/format.js';
import type { Logger } from '../ui/logger.js';
import { createPackageLabels } from '../ui/prefix.js';
import { createPackageGraph, type PackageGraph } from './graph.js';
import type { MonorepoOptions } from './orchestrator.js';
import { hasOwnConfig, loadPackageConfig, rootConfigFile } from './package-config.js';
import type { WorkspacePackage } from './packages.js';
import { repositoryIgnoreRule } from './repository-ignore.js';
import { selectPackages } from './select.js';

/** The packages to run, their configs, and what the one router they share never walks. */
export interface Plan {
  graph: PackageGraph;
  byName: Map<string, WorkspacePackage>;
  labels: Map<string, string>;
  configs: Map<string, ResolvedConfig>;
  baseConfigFile: string | null;
  repositoryRule: (file: string, isDirectory?: boolean) => boolean;
  poll: boolean;
}

/** Discovery, the graph and each package's config; problems are reported, a repository with nothing to run is an error. */
export function plan(options: MonorepoOptions): Plan {
  const { workspace, logger } = options;
  const root = workspace.root;
  const byName = new Map(workspace.packages.map((pkg) => [pkg.name, pkg]));
  for (const problem of workspace.problems) logger.error(problem.message);
  const graph = createPackageGraph(workspace.packages);
  for (const cycle of graph.cycles) {
    const files = cycle.map((name) => relativeTo(byName.get(name)!.manifestFile, root)).join(', ');
    logger.warn(`dependency cycle: ${[...cycle, cycle[0]].join(' → ')} (${files}): a change in one rebuilds the others, in no set order`);
  }
  const selected = selectPackages(workspace, graph, options.filters, (name) => hasOwnConfig(byName.get(name)!));
  if (selected.length === 0) {
    throw new ConfigError(`no workspace package has a ${CONFIG_FILE_NAME} (looked in ${workspace.packages.length} packages from ${workspace.sources.join(' and ')})`, {
      hint: 'run `hot init` in each package hot should run, e.g. `cd packages/api && npx hot init`',
    });
  }
  const configs = loadPackageConfigs(selected.map((name) => byName.get(name)!), (pkg) => loadPackageConfig(workspace, pkg, options.overrides), logger);
  // Only the packages that run and what they depend on: the rest of the repository is never walked.
  const relevant = graph.withDependencies(configs.keys());
  const packageDirs = workspace.packages.filter((pkg) => relevant.has(pkg.name)).map((pkg) => pkg.dir);
  const baseConfigFile = rootConfigFile(workspace);
  return {
    graph,
    byName,
    labels: createPackageLabels(selected, options.color),
    configs,
    baseConfigFile,
    repositoryRule: repositoryIgnoreRule(root, packageDirs, baseConfigFile, workspace.patterns),
    poll: [...configs.values()].some((config) => config.watch.poll),
  };
}

/** Each package's config; one with a mistake is reported and left out, the others run. */
function loadPackageConfigs(packages: WorkspacePackage[], load: (pkg: WorkspacePackage) => ResolvedConfig, logger: Logger): Map<string, ResolvedConfig> {
  const configs = new Map<string, ResolvedConfig>();
  for (const pkg of packages) {
    try {
      configs.set(pkg.name, load(pkg));
    } catch (error) {
      if (!isHotError(error)) throw error;
      logger.error(`${pkg.name}: ${error.message}`, error.hint ? { hint: error.hint } : undefined);
      logger.warn(`${pkg.name} is left out until hot is started again; the other packages run`);
    }
  }
  if (configs.size === 0) throw new ConfigError('no package could be started: every package config has a mistake (see above)');
  return configs;
}

