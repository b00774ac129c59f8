import { existsSync } from 'node:fs';
import path from 'node:path';
import { detectEntry } from '../config/detect-entry.js';
import { detectGoModule, goDescription, goUserConfig, hasGoMod } from '../config/go-module.js';
import { CONFIG_FILE_NAME, type CliOverrides, type UserConfig } from '../config/schema.js';
import { printable } from '../ui/format.js';
import type { Logger } from '../ui/logger.js';

export interface Detected {
  overrides: CliOverrides;
  lookedFor: readonly string[];
  /** Settings of a detected project kind (a Go module), in place of a config file. */
  project?: UserConfig;
}

/**
 * Bare `hot` without a .hotrc.toml runs the entry it finds, as `hot <entry>` would (through the
 * framework CLI the script loads it with, `fastify start`, when there is one), and says which and
 * why; in a Go module with a main package, the setup `hot init` would write there. Finding none,
 * the "nothing to run" message lists where it looked.
 */
export function detectedOverrides(cwd: string, overrides: CliOverrides, logger: Logger | null): Detected {
  if (existsSync(path.join(cwd, CONFIG_FILE_NAME))) return { overrides, lookedFor: [] };
  const go = detectGoModule(cwd);
  if (go) {
    logger?.info(`running a Go module (${printable(go.reason)}): ${goDescription(go.main)}`);
    // air's settings (poll for a Docker bind mount, delay) are not read: say how to bring them.
    if (existsSync(path.join(cwd, '.air.toml'))) logger?.info('.air.toml is here, and hot does not read it: `hot init --from .air.toml` writes its settings as a .hotrc.toml');
    return { overrides, lookedFor: [], project: goUserConfig(go.main) };
  }
  const detection = detectEntry(cwd);
  if (!detection.entry) {
    const goMod = hasGoMod(cwd) ? ['a Go main package (go.mod is here, but no .go file in this directory says package main)'] : [];
    return { overrides, lookedFor: [...goMod, ...detection.lookedFor] };
  }
  const { file, launcher } = detection.entry;
  const how = launcher ? ` with ${launcher.join(' ')}` : '';
  logger?.info(`running ${printable(file)}${printable(how)} (from ${printable(detection.reason)})`);
  return { overrides: { ...overrides, entry: file, ...(launcher ? { launcher } : {}) }, lookedFor: [] };
}
