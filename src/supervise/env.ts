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
