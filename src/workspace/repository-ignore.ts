import path from 'node:path';
import { DEFAULT_EXCLUDE } from '../config/schema.js';
import { CONFIG_FILE_NAME } from '../config/schema.js';
import { createPathFilter } from '../watch/filter.js';
import { loadGitignoreRules, readNestedGitignore } from '../watch/gitignore.js';
import { packagePlaces } from './packages.js';

/** The files at the root whose change reads the workspace again: its packages, and what the repository skips. */
export function workspaceDeclarations(root: string): string[] {
  return [path.join(root, 'package.json'), path.join(root, 'pnpm-workspace.yaml'), path.join(root, '.gitignore')];
}

/** In a place where a package may be, the files that say one is there (and runs), and what it skips. */
export const PACKAGE_FILES: ReadonlySet<string> = new Set(['package.json', CONFIG_FILE_NAME, '.gitignore']);

/**
 * What the one watcher of a repository never walks: dependencies, VCS data and what the .gitignore
 * files ignore, and everything that is neither inside one of `packageDirs` nor on the way to one.
 * So that packages can come and go, the files declaring the workspace are watched, and so are, in
 * each place the declared `patterns` give a package, its package.json and .hotrc.toml.
 */
export function repositoryIgnoreRule(root: string, packageDirs: readonly string[], baseConfigFile: string | null, patterns: readonly string[] = []): (file: string, isDirectory?: boolean) => boolean {
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
  const declarations = new Set(workspaceDeclarations(root));
  const places = packagePlaces(patterns);
  const relative = (file: string): string => path.relative(root, file).split(path.sep).join('/');
  const isPlace = (file: string): boolean => file.startsWith(root + path.sep) && (places.isPlace(relative(file)) || places.isOnTheWay(relative(file)));
  return (file, isDirectory) => {
    if (filter.isIgnored(file, isDirectory)) return true;
    if (file === baseConfigFile || leading.has(file) || declarations.has(file) || isInsideAny(inside, root, file)) return false;
    const asDirectory = isPlace(file);
    const asFile = PACKAGE_FILES.has(path.basename(file)) && places.isPlace(relative(path.dirname(file)));
    return isDirectory === true ? !asDirectory : isDirectory === false ? !asFile : !(asDirectory || asFile);
  };
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
