import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether a file, or a file it imports by a relative path, calls `.listen(`. A textual check, not a
 * build: cheap enough to run on every candidate entry, and right about the case that matters (an
 * `index.ts` that only exports the app next to a `server.ts` that starts it).
 */
export function callsListen(file: string): boolean {
  return findInModuleGraph(file, (source) => (LISTEN.test(source) ? true : undefined)) ?? false;
}

/**
 * `visit` on the source of `file` and of each file it imports by a relative path, breadth first,
 * until it returns something other than undefined; that value, or undefined.
 */
export function findInModuleGraph<T>(file: string, visit: (source: string, file: string) => T | undefined): T | undefined {
  const seen = new Set<string>();
  const queue = [file];
  // Enough for an app's own modules; a graph larger than this is not worth reading to pick an entry.
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const current = queue.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const source = readSource(current);
    if (source === null) continue;
    const found = visit(source, current);
    if (found !== undefined) return found;
    for (const specifier of relativeImports(source)) {
      const resolved = resolveImport(path.dirname(current), specifier);
      if (resolved) queue.push(resolved);
    }
  }
  return undefined;
}

const MAX_FILES = 300;
const LISTEN = /\.listen\s*\(/;
const IMPORT = /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/g;
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** The relative specifiers a module imports, exports from, requires or import()s. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1]!);
}

/** A specifier as TypeScript resolves it: as written, `.js` written for a `.ts`, no extension, a directory's index. */
export function resolveImport(dir: string, specifier: string): string | null {
  const base = path.resolve(dir, specifier);
  const stem = base.replace(/\.(c|m)?jsx?$/, '');
  const tries = [base, ...EXTENSIONS.map((ext) => stem + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return tries.find(isFile) ?? null;
}

export function isFile(file: string): boolean {
  try {
    return existsSync(file) && statSync(file).isFile();
  } catch {
    // Unreadable (EACCES on a parent): not a candidate.
    return false;
  }
}

function readSource(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Deleted or unreadable between listing and reading: it cannot count as listening.
    return null;
  }
}
