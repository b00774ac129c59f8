import path from 'node:path';
import { DEFAULT_EXCLUDE } from '../config/schema.js';
import { createPathFilter } from '../watch/filter.js';
import { loadGitignoreRules, readNestedGitignore } from '../watch/gitignore.js';

/**
 * What the one watcher of a repository never walks: dependencies, VCS data and what the root
 * .gitignore ignores, and everything that is neither inside one of `packageDirs` nor on the way to one.
 */
export function repositoryIgnoreRule(root: string, packageDirs: readonly string[], baseConfigFile: string | null): (file: string, isDirectory?: boolean) => boolean {
  const filter = createPathFilter({
    root,
    include: [],
    exclude: DEFAULT_EXCLUDE,
    gitignoreRules: loadGitignoreRules(root),
    readNestedGitignore,
    outputs: [],
    alwaysWatch: baseConfigFile ? [baseConfigFile] : [],
  });
  const inside = new Set(packageDirs);
  const leading = new Set(packageDirs.flatMap((dir) => ancestorsWithin(root, dir)));
  return (file, isDirectory) => filter.isIgnored(file, isDirectory) || (file !== baseConfigFile && !leading.has(file) && !isInsideAny(inside, root, file));
}

/** True when `file` is one of `dirs` or inside one. */
export function isInsideAny(dirs: ReadonlySet<string>, root: string, file: string): boolean {
  for (let dir = file; dir.length >= root.length; dir = path.dirname(dir)) {
    if (dirs.has(dir)) return true;
    if (path.dirname(dir) === dir) break;
  }
  return false;
}

/** `dir` and every directory between it and `root`, `root` included. */
function ancestorsWithin(root: string, dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; current.length >= root.length; current = path.dirname(current)) {
    found.push(current);
    if (current === root || path.dirname(current) === current) break;
  }
  return found;
}
