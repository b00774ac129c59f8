import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';

export interface WorkspacePackage {
  /** `name` from its package.json (the directory name when it has none). */
  name: string;
  /** Absolute directory of the package. */
  dir: string;
  /** Absolute path of its package.json. */
  manifestFile: string;
  /** Names of the other workspace packages it depends on, in any dependency field. */
  dependsOn: string[];
}

export interface WorkspaceProblem {
  /** Absolute path of the file at fault. */
  file: string;
  /** A whole message, naming the file relative to the root. */
  message: string;
}

export interface Workspace {
  root: string;
  /** Where the package patterns came from, for messages. */
  sources: string[];
  /** The package patterns as declared (`packages/*`, `!packages/old`). */
  patterns: string[];
  packages: WorkspacePackage[];
  /** Packages left out, each with the reason: a package.json that does not parse, a name used twice. */
  problems: WorkspaceProblem[];
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
/** Directories never searched for packages. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
/** How deep a `**` pattern is followed below its base directory. */
const MAX_SEARCH_DEPTH = 8;

/**
 * Reads the workspace declared at `root` (package.json `workspaces` for npm and yarn,
 * pnpm-workspace.yaml for pnpm) without running the package manager. Null when `root` declares none.
 */
export function loadWorkspace(root: string, options: { tolerateBrokenManifest?: boolean } = {}): Workspace | null {
  const declared = readPatterns(root, options.tolerateBrokenManifest ?? false);
  if (!declared) return null;
  const problems: WorkspaceProblem[] = [];
  const found: WorkspacePackage[] = [];
  for (const dir of expandPatterns(root, declared.patterns)) {
    const manifestFile = path.join(dir, 'package.json');
    let manifest: Record<string, unknown>;
    try {
      manifest = parseManifest(manifestFile, root);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push({ file: manifestFile, message: `${error.message}; this package is left out` });
      continue;
    }
    const name = typeof manifest.name === 'string' && manifest.name !== '' ? manifest.name : path.basename(dir);
    found.push({ name, dir, manifestFile, dependsOn: dependencyNames(manifest) });
  }
  const packages = dropDuplicateNames(found, problems, root);
  const names = new Set(packages.map((pkg) => pkg.name));
  for (const pkg of packages) pkg.dependsOn = pkg.dependsOn.filter((name) => names.has(name) && name !== pkg.name);
  return { root, sources: declared.sources, patterns: declared.patterns, packages, problems };
}

function readPatterns(root: string, tolerateBrokenManifest: boolean): { patterns: string[]; sources: string[] } | null {
  const patterns: string[] = [];
  const sources: string[] = [];
  const manifestFile = path.join(root, 'package.json');
  const manifest = existsSync(manifestFile) ? readRootManifest(manifestFile, root, tolerateBrokenManifest) : null;
  if (manifest) {
    const field = manifest.workspaces;
    const list = Array.isArray(field) ? field : isRecord(field) && Array.isArray(field.packages) ? field.packages : null;
    if (field !== undefined && !list) throw new ConfigError(`package.json: "workspaces" must be a list of globs, e.g. ["packages/*"]`);
    if (list) {
      patterns.push(...list.map(String));
      sources.push('package.json');
    }
  }
  const pnpmFile = path.join(root, 'pnpm-workspace.yaml');
  if (existsSync(pnpmFile)) {
    patterns.push(...readPnpmPatterns(pnpmFile));
    sources.push('pnpm-workspace.yaml');
  }
  return sources.length > 0 ? { patterns, sources } : null;
}

function readRootManifest(file: string, root: string, tolerateBroken: boolean): Record<string, unknown> | null {
  try {
    return parseManifest(file, root);
  } catch (error) {
    if (tolerateBroken && error instanceof ConfigError) return null;
    throw error;
  }
}

function readPnpmPatterns(file: string): string[] {
  let document: unknown;
  try {
    // Loaded only for a pnpm workspace: most starts never read YAML.
    const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    document = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const where = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    const at = where ? `:${where.line}:${where.col}` : '';
    throw new ConfigError(`pnpm-workspace.yaml${at}: invalid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const list = isRecord(document) ? document.packages : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ConfigError('pnpm-workspace.yaml: "packages" must be a list of globs, e.g. - "packages/*"');
  return list.map(String);
}

/**
 * Where packages may be, by the declared patterns: a directory that matches one (`isPlace`), and
 * the directories on the way to one (`isOnTheWay`: the root and each pattern's fixed part). Paths
 * relative to the root, with `/`.
 */
export function packagePlaces(patterns: readonly string[]): { isPlace(relative: string): boolean; isOnTheWay(relative: string): boolean } {
  const positive = patterns.filter((p) => !p.startsWith('!')).map(normalisePattern);
  const negative = patterns.filter((p) => p.startsWith('!')).map((p) => normalisePattern(p.slice(1)));
  const isExcluded = negative.length > 0 ? picomatch(negative) : () => false;
  const matches = positive.length > 0 ? picomatch(positive) : () => false;
  const onTheWay = new Set(['']);
  for (const pattern of positive) {
    const parts = picomatch.scan(pattern).base.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) onTheWay.add(parts.slice(0, depth).join('/'));
  }
  return {
    isPlace: (relative) => relative !== '' && matches(relative) && !isExcluded(relative),
    isOnTheWay: (relative) => onTheWay.has(relative),
  };
}

/** Directories matching the patterns (`!` ones subtract), holding a package.json, sorted. */
function expandPatterns(root: string, patterns: string[]): string[] {
  const positive = patterns.filter((p) => !p.startsWith('!')).map(normalisePattern);
  const negative = patterns.filter((p) => p.startsWith('!')).map((p) => normalisePattern(p.slice(1)));
  const isExcluded = negative.length > 0 ? picomatch(negative) : () => false;
  const found = new Set<string>();
  for (const pattern of positive) {
    const matches = picomatch(pattern);
    const { base, isGlob, glob } = picomatch.scan(pattern);
    const start = path.join(root, base);
    const depth = !isGlob ? 0 : glob.includes('**') ? MAX_SEARCH_DEPTH : glob.split('/').length;
    for (const dir of listDirs(start, depth)) {
      const relative = path.relative(root, dir).split(path.sep).join('/');
      if (matches(relative) && !isExcluded(relative) && existsSync(path.join(dir, 'package.json'))) found.add(dir);
    }
  }
  return [...found].sort();
}

function normalisePattern(pattern: string): string {
  return pattern.replace(/^\.\//, '').replace(/\/+$/, '');
}

/** `dir` and its subdirectories down to `depth` levels, skipping dependency and VCS folders. */
function listDirs(dir: string, depth: number): string[] {
  const result = [dir];
  if (depth === 0) return result;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    // Missing or unreadable: a pattern may name a folder that does not exist (yet).
    return [];
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
    result.push(...listDirs(path.join(dir, entry.name), depth - 1));
  }
  return result;
}

function parseManifest(file: string, root: string): Record<string, unknown> {
  const shown = path.relative(root, file) || file;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(source);
    if (!isRecord(value)) throw new ConfigError(`${shown}: expected a JSON object`);
    return value;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const position = /position (\d+)/.exec((error as Error).message);
    const at = position ? lineAndColumn(source, Number(position[1])) : null;
    const reason = (error as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new ConfigError(`${shown}${at ? `:${at.line}:${at.column}` : ''}: invalid JSON: ${reason}`, { cause: error });
  }
}

function dependencyNames(manifest: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const field of DEPENDENCY_FIELDS) {
    const table = manifest[field];
    if (isRecord(table)) for (const name of Object.keys(table)) names.add(name);
  }
  return [...names];
}

/** Two packages with one name: neither can be told apart, so both are left out. */
function dropDuplicateNames(found: WorkspacePackage[], problems: WorkspaceProblem[], root: string): WorkspacePackage[] {
  const byName = new Map<string, WorkspacePackage[]>();
  for (const pkg of found) byName.set(pkg.name, [...(byName.get(pkg.name) ?? []), pkg]);
  const kept: WorkspacePackage[] = [];
  for (const [name, sharing] of byName) {
    if (sharing.length === 1) {
      kept.push(sharing[0]!);
      continue;
    }
    const files = sharing.map((pkg) => path.relative(root, pkg.manifestFile)).join(' and ');
    problems.push({ file: sharing[0]!.manifestFile, message: `two packages are named "${name}" (${files}): both are left out until one is renamed` });
  }
  return kept.sort((a, b) => a.name.localeCompare(b.name));
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
