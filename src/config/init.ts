import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { detectEntry, type EntryDetection } from './detect-entry.js';
import { CONFIG_FILE_NAME } from './schema.js';

/**
 * Writes the commented starter config into `dir`, with `build.entry` pointing at the project's likely
 * entry file. Never overwrites: an existing file is a ConfigError.
 */
export function writeStarterConfig(dir: string, template: string, detection: EntryDetection = detectEntry(dir)): { file: string; entry: string | null; reason: string } {
  const file = path.join(dir, CONFIG_FILE_NAME);
  if (existsSync(file)) {
    throw new ConfigError(`${CONFIG_FILE_NAME} already exists here, not overwriting it`, { hint: 'edit it, or delete it first to start from the template' });
  }
  const entry = detection.entry?.file ?? null;
  // stringify escapes the path as a TOML string: a `main` holding quotes or line breaks stays a value.
  const text = entry ? template.replace(/^entry = ".*"$/m, () => stringify({ entry }).trim()) : template;
  writeFileSync(file, text, { flag: 'wx' });
  return { file, entry, reason: detection.reason };
}
