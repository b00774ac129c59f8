import { existsSync } from 'node:fs';
import path from 'node:path';
import { readUserConfig } from '../config/load.js';
import { CONFIG_FILE_NAME } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { hasOwnConfig } from '../workspace/package-config.js';
import { loadWorkspace, type Workspace } from '../workspace/packages.js';

/**
 * The workspace declared in cwd. A package.json there that does not parse is the program's business
 * when a .hotrc.toml says what to run; pnpm-workspace.yaml only ever declares a workspace.
 */
export function findWorkspace(cwd: string): Workspace | null {
  return loadWorkspace(cwd, { tolerateBrokenManifest: existsSync(path.join(cwd, CONFIG_FILE_NAME)) });
}

/** A workspace root runs its packages, unless its own .hotrc.toml runs a program (then it is the app). */
export function runsPackages(workspace: Workspace, cwd: string): boolean {
  return workspace.packages.some(hasOwnConfig) && !rootConfigRunsSomething(cwd);
}

/** A root .hotrc.toml with a bin or a build is an app of its own, not shared defaults for packages. */
export function rootConfigRunsSomething(cwd: string): boolean {
  const file = path.join(cwd, CONFIG_FILE_NAME);
  if (!existsSync(file)) return false;
  const user = readUserConfig(file, CONFIG_FILE_NAME);
  return user.bin !== undefined || user.build?.entry !== undefined || user.build?.cmd !== undefined;
}

/** At a workspace root that runs neither its packages nor a program of its own (no entry found): how to set it up. */
export function checkWorkspaceSetUp(workspace: Workspace | null, cwd: string, entry: string | undefined): void {
  if (!workspace || entry !== undefined || rootConfigRunsSomething(cwd)) return;
  throw new ConfigError(`this is a workspace root, and no package in it has a ${CONFIG_FILE_NAME}: nothing to run`, {
    hint: 'run `hot init` here: it writes one into each package that starts a program and leaves the root alone',
  });
}
