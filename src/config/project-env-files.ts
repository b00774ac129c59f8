import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'shell-quote';

/** The dotenv file a project keeps in its root, loaded without a config file when it exists. */
const ROOT_ENV_FILE = '.env';

/** package.json scripts that say how the project runs in development, the first one present wins. */
const DEV_SCRIPTS = ['dev', 'start'] as const;

/** node's flags naming an env file (`--env-file-if-exists` is Node 22's). */
const ENV_FILE_FLAGS = ['--env-file', '--env-file-if-exists'];

/**
 * Without a config file: the env files the project runs with, absolute, in load order (a later
 * file's values override an earlier one's, as with node's repeated `--env-file`): `.env` in the
 * root, then the files the dev script passes to node with `--env-file`. Only files that exist.
 */
export function findProjectEnvFiles(root: string): string[] {
  const named = [ROOT_ENV_FILE, ...envFilesOfScript(devScriptOf(root))];
  const files = named.map((file) => path.resolve(root, file)).filter(isFile);
  return [...new Set(files)];
}

/** The `--env-file` arguments of a command line: `--env-file=.env` and `--env-file .env`. */
export function envFilesOfScript(script: string | null): string[] {
  if (!script) return [];
  let tokens: ReturnType<typeof parse>;
  try {
    tokens = parse(script, (name) => `$${name}`);
  } catch {
    // shell-quote's "Bad substitution" on syntax it does not know: such a script names no file we can read.
    return [];
  }
  const files: string[] = [];
  tokens.forEach((token, index) => {
    if (typeof token !== 'string') return;
    const [flag, ...value] = token.split('=');
    if (!ENV_FILE_FLAGS.includes(flag!)) return;
    const next = tokens[index + 1];
    const file = value.length > 0 ? value.join('=') : typeof next === 'string' ? next : '';
    if (file !== '' && !file.includes('$')) files.push(file);
  });
  return files;
}

function devScriptOf(root: string): string | null {
  const manifest = path.join(root, 'package.json');
  if (!isFile(manifest)) return null;
  let scripts: unknown;
  try {
    scripts = (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: unknown }).scripts;
  } catch {
    // An unreadable or half-written package.json: nothing to learn from it here (the program will say).
    return null;
  }
  if (!scripts || typeof scripts !== 'object') return null;
  for (const name of DEV_SCRIPTS) {
    const script = (scripts as Record<string, unknown>)[name];
    if (typeof script === 'string') return script;
  }
  return null;
}

function isFile(file: string): boolean {
  // A named pipe (1Password mounts .env as one) is read like a file by the env loader.
  return existsSync(file) && !statSync(file).isDirectory();
}
