import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { CONFIG_FILE_NAME } from './schema.js';

/** Entry files tried, in order, to fill in `build.entry` of a new config. */
const ENTRY_CANDIDATES = ['src/server.ts', 'src/index.ts', 'src/main.ts', 'src/app.ts', 'server.ts', 'index.ts', 'src/server.js', 'src/index.js', 'server.js', 'index.js'];

/**
 * Writes the commented starter config into `dir`, with `build.entry` pointing at the project's likely
 * entry file. Never overwrites: an existing file is a ConfigError.
 */
export function writeStarterConfig(dir: string, template: string): { file: string; entry: string | null } {
  const file = path.join(dir, CONFIG_FILE_NAME);
  if (existsSync(file)) {
    throw new ConfigError(`${CONFIG_FILE_NAME} already exists here, not overwriting it`, { hint: 'edit it, or delete it first to start from the template' });
  }
  const entry = findEntry(dir);
  // stringify escapes the path as a TOML string: a `main` holding quotes or line breaks stays a value.
  const text = entry ? template.replace(/^entry = ".*"$/m, () => stringify({ entry }).trim()) : template;
  writeFileSync(file, text, { flag: 'wx' });
  return { file, entry };
}

function findEntry(dir: string): string | null {
  for (const candidate of ENTRY_CANDIDATES) if (existsSync(path.join(dir, candidate))) return candidate;
  try {
    const main = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && existsSync(path.join(dir, main))) return main.replace(/^\.\//, '');
  } catch {
    // No package.json, or one without a usable main: keep the template's entry.
  }
  return null;
}
