import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

export interface ChildEnvInput {
  envFiles: readonly string[];
  env: Readonly<Record<string, string>>;
  hot: Record<string, string>;
  /** Called once per unreadable env file, with the path and the reason. */
  onMissing?: (file: string, reason: string) => void;
}

/**
 * The program's environment, lowest precedence first: env files (like dotenv, they never override
 * the real environment), hot's own environment, `run.env`, then hot's variables (HOT, HOT_CHANGED…).
 * Files are re-read on every start, so an edit to .env applies on the next restart.
 */
export function buildChildEnv(input: ChildEnvInput, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const fromFiles: Record<string, string> = {};
  for (const file of input.envFiles) {
    try {
      Object.assign(fromFiles, parseEnv(readFileSync(file, 'utf8')));
    } catch (error) {
      input.onMissing?.(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
    }
  }
  return { ...fromFiles, ...base, ...input.env, ...input.hot };
}

/** Linux refuses one environment string over 128 KiB (E2BIG): a huge change list is cut well below. */
const MAX_CHANGED_BYTES = 64 * 1024;

/**
 * HOT_CHANGED: the changed paths, one per line. A list too long for the environment keeps the paths
 * that fit and sets HOT_CHANGED_TRUNCATED=1.
 */
export function changedPathsVariables(paths: readonly string[]): Record<string, string> {
  let text = '';
  for (const file of paths) {
    const next = text === '' ? file : `${text}\n${file}`;
    if (Buffer.byteLength(next) > MAX_CHANGED_BYTES) return { HOT_CHANGED: text, HOT_CHANGED_TRUNCATED: '1' };
    text = next;
  }
  return { HOT_CHANGED: text };
}
