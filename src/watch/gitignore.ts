import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A directory's own .gitignore, or null when it has none (or it is not a regular file). */
export function readNestedGitignore(dir: string): string | null {
  const file = path.join(dir, '.gitignore');
  try {
    // Only a regular file: reading a named pipe would block hot until something writes to it.
    return statSync(file).isFile() ? readFileSync(file, 'utf8') : null;
  } catch {
    // No such file: nothing to ignore from it.
    return null;
  }
}

/** The root's .gitignore and .git/info/exclude, joined; empty when neither exists. */
export function loadGitignoreRules(root: string): string {
  const parts: string[] = [];
  for (const file of [path.join(root, '.gitignore'), path.join(root, '.git', 'info', 'exclude')]) {
    try {
      // Only a regular file: reading a named pipe would block hot until something writes to it.
      if (statSync(file).isFile()) parts.push(readFileSync(file, 'utf8'));
    } catch {
      // No such file: nothing to ignore from it.
    }
  }
  return parts.join('\n');
}
