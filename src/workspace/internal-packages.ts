import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { createPackageGraph } from './graph.js';
import { loadWorkspace } from './packages.js';

/** What a workspace package run alone (hot in its directory) needs to know of its workspace. */
export interface InternalPackages {
  /** Every workspace package's name: the esbuild check compiles them, rather than leaving them to node_modules. */
  names: readonly string[];
  /** The source files of the workspace packages this one depends on, directly or not: edits to them restart it. */
  sourceFiles: readonly string[];
}

/** Source files of an internal package, as DEFAULT_INCLUDE sees them. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;
/** Not sources: dependencies, VCS data, build output. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);
/** Enough for any library; a package bigger than that is not walked further (its files past this are not watched). */
const MAX_FILES_PER_PACKAGE = 2000;

/**
 * When `dir` is a package of a workspace declared in one of its ancestors: the workspace's package
 * names and the source files of the packages it depends on. Null outside a workspace, or at its root.
 */
export function findInternalPackages(dir: string): InternalPackages | null {
  const here = path.resolve(dir);
  for (let root = path.dirname(here); ; root = path.dirname(root)) {
    const workspace = loadWorkspaceQuietly(root);
    const pkg = workspace?.packages.find((candidate) => candidate.dir === here);
    if (workspace && pkg) {
      const graph = createPackageGraph(workspace.packages);
      const dependencies = [...graph.withDependencies([pkg.name])].filter((name) => name !== pkg.name);
      const dirs = workspace.packages.filter((candidate) => dependencies.includes(candidate.name)).map((candidate) => candidate.dir);
      return { names: workspace.packages.map((candidate) => candidate.name), sourceFiles: dirs.flatMap((packageDir) => sourceFilesIn(packageDir)) };
    }
    if (workspace || path.dirname(root) === root) return null;
  }
}

function loadWorkspaceQuietly(root: string): ReturnType<typeof loadWorkspace> {
  try {
    return loadWorkspace(root, { tolerateBrokenManifest: true });
  } catch (error) {
    // A broken workspace declaration above the package: running the package alone does not need it.
    if (error instanceof ConfigError) return null;
    throw error;
  }
}

function sourceFilesIn(packageDir: string): string[] {
  const files: string[] = [];
  const pending = [packageDir];
  while (pending.length > 0 && files.length < MAX_FILES_PER_PACKAGE) {
    const dir = pending.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) pending.push(full);
      else if (entry.isFile() && SOURCE_FILE.test(entry.name)) files.push(full);
    }
  }
  return files.sort();
}
