import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

export interface PathFilterOptions {
  root: string;
  include: readonly string[];
  exclude: readonly string[];
  /** Contents of the root .gitignore (and .git/info/exclude), or null to ignore none. */
  gitignoreRules: string | null;
  /**
   * Reads the .gitignore of a directory below the root (null when it has none): its rules apply to
   * the paths under that directory, as git applies them. Without it, only the root's rules count.
   */
  readNestedGitignore?: (absoluteDir: string) => string | null;
  /** Absolute paths never watched (build outputs); a directory covers everything inside it. */
  outputs: readonly string[];
  /** Absolute paths always watched and always relevant (config file, env files). */
  alwaysWatch: readonly string[];
}

export interface PathFilter {
  /** True for a path chokidar need not look at; directories are pruned whole. */
  isIgnored(absolutePath: string, isDirectory?: boolean): boolean;
  /** True for a file that matches `include` (or is always watched) and is not ignored. */
  isIncluded(absolutePath: string): boolean;
}

/** Paths below a directory that no pattern can name, to ask "would every file in here be excluded?". */
const PROBE = 'hot-probe-9f3a/hot-probe-9f3a';

/**
 * A pattern ending in `/` names a directory, as in .gitignore: that directory and everything below
 * it; without another slash (`testdata/`), a directory of that name at any depth. Others as they are.
 */
export function directoryPatterns(patterns: readonly string[]): string[] {
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/')) return [pattern];
    const dir = pattern.replace(/\/+$/, '');
    if (dir === '') return [pattern];
    const anchored = dir.startsWith('/') ? dir.slice(1) : dir;
    const anyDepth = !dir.includes('/') && !dir.startsWith('**');
    const base = anyDepth ? `**/${anchored}` : anchored;
    return [base, `${base}/**`];
  });
}

/** Pure include/exclude/.gitignore decisions on paths relative to the root. */
export function createPathFilter(options: PathFilterOptions): PathFilter {
  const matchOptions = { dot: true };
  const include = directoryPatterns(options.include);
  const isIncludedGlob = include.length > 0 ? picomatch(include, matchOptions) : () => false;
  const isExcludedGlob = picomatch(directoryPatterns(options.exclude), matchOptions);
  const gitignore: Ignore | null = options.gitignoreRules === null ? null : ignore().add(options.gitignoreRules);
  const nested = options.gitignoreRules !== null && options.readNestedGitignore ? createNestedRules(options.root, options.readNestedGitignore) : null;
  const always = new Set(options.alwaysWatch);
  const outputs = options.outputs.map((p) => path.resolve(p));

  const toRelative = (absolutePath: string): string | null => {
    const relative = path.relative(options.root, absolutePath);
    if (relative === '') return '';
    if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return null;
    return relative.split(path.sep).join('/');
  };

  const isIgnored = (absolutePath: string, isDirectory?: boolean): boolean => {
    if (always.has(absolutePath)) return false;
    const relative = toRelative(absolutePath);
    if (relative === '') return false;
    if (relative === null) return true;
    if (outputs.some((output) => absolutePath === output || absolutePath.startsWith(output + path.sep))) return true;
    if (isExcludedGlob(relative)) return true;
    // A directory whose every possible descendant is excluded (node_modules, dist/**) is pruned whole.
    if (isDirectory === true && isExcludedGlob(`${relative}/${PROBE}`)) return true;
    // The deepest .gitignore with a rule for the path decides, as in git: a `!pattern` below takes back what one above ignores.
    const verdict = nested?.(relative, isDirectory === true) ?? null;
    if (verdict !== null) return verdict === 'ignored';
    if (gitignore) {
      if (gitignore.ignores(relative)) return true;
      if (isDirectory === true && gitignore.ignores(`${relative}/`)) return true;
    }
    return false;
  };

  return {
    isIgnored,
    isIncluded(absolutePath) {
      if (always.has(absolutePath)) return true;
      const relative = toRelative(absolutePath);
      if (relative === null || relative === '') return false;
      return isIncludedGlob(relative) && !isIgnored(absolutePath, false);
    },
  };
}

/**
 * The rules of the .gitignore files below the root: for `a/b/c.ts`, those of `a/b/.gitignore` on
 * `c.ts`, then those of `a/.gitignore` on `b/c.ts`; the first with a rule for the path says
 * whether it is ignored or taken back (`!pattern`), null when none has one. Each directory's file is
 * read once, when a path under it is first asked about.
 */
function createNestedRules(root: string, read: (absoluteDir: string) => string | null): (relative: string, isDirectory: boolean) => 'ignored' | 'unignored' | null {
  const byDirectory = new Map<string, Ignore | null>();
  const rulesOf = (dir: string): Ignore | null => {
    let rules = byDirectory.get(dir);
    if (rules === undefined) {
      const text = read(path.join(root, dir));
      rules = text === null ? null : ignore().add(text);
      byDirectory.set(dir, rules);
    }
    return rules;
  };
  return (relative, isDirectory) => {
    const parts = relative.split('/');
    for (let depth = parts.length - 1; depth >= 1; depth--) {
      const rules = rulesOf(parts.slice(0, depth).join('/'));
      if (rules === null) continue;
      const below = parts.slice(depth).join('/');
      for (const candidate of isDirectory ? [below, `${below}/`] : [below]) {
        const { ignored, unignored } = rules.test(candidate);
        if (ignored) return 'ignored';
        if (unignored) return 'unignored';
      }
    }
    return null;
  };
}
