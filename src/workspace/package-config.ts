import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { CONFIG_FILE_NAME, type CliOverrides, type ResolvedConfig } from '../config/schema.js';
import type { Workspace, WorkspacePackage } from './packages.js';

/** The workspace root's .hotrc.toml (shared defaults for the packages), or null. */
export function rootConfigFile(workspace: Workspace): string | null {
  const file = path.join(workspace.root, CONFIG_FILE_NAME);
  return existsSync(file) ? file : null;
}

export function hasOwnConfig(pkg: WorkspacePackage): boolean {
  return existsSync(path.join(pkg.dir, CONFIG_FILE_NAME));
}

/** A package's config over the root's defaults; the other workspace packages are bundled in by esbuild. */
export function loadPackageConfig(workspace: Workspace, pkg: WorkspacePackage, overrides: CliOverrides): ResolvedConfig {
  return loadConfig({
    cwd: workspace.root,
    configPath: path.join(pkg.dir, CONFIG_FILE_NAME),
    overrides,
    workspace: {
      root: workspace.root,
      baseConfigFile: rootConfigFile(workspace),
      packageNames: workspace.packages.map((other) => other.name).filter((name) => name !== pkg.name),
    },
  });
}
