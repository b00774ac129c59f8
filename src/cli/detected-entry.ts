import { existsSync } from 'node:fs';
import path from 'node:path';
import { detectEntry } from '../config/detect-entry.js';
import { CONFIG_FILE_NAME, type CliOverrides } from '../config/schema.js';
import { printable } from '../ui/format.js';
import type { Logger } from '../ui/logger.js';

/**
 * Bare `hot` without a .hotrc.toml runs the entry it finds, as `hot <entry>` would (through the
 * framework CLI the script loads it with, `fastify start`, when there is one), and says which and
 * why; finding none, the "nothing to run" message lists where it looked.
 */
export function detectedOverrides(cwd: string, overrides: CliOverrides, logger: Logger | null): { overrides: CliOverrides; lookedFor: readonly string[] } {
  if (existsSync(path.join(cwd, CONFIG_FILE_NAME))) return { overrides, lookedFor: [] };
  const detection = detectEntry(cwd);
  if (!detection.entry) return { overrides, lookedFor: detection.lookedFor };
  const { file, launcher } = detection.entry;
  const how = launcher ? ` with ${launcher.join(' ')}` : '';
  logger?.info(`running ${printable(file)}${printable(how)} (from ${printable(detection.reason)})`);
  return { overrides: { ...overrides, entry: file, ...(launcher ? { launcher } : {}) }, lookedFor: [] };
}
