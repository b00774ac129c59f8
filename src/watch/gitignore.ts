import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

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
