import { readFileSync } from 'node:fs';
import { writeStarterConfig } from '../config/init.js';
import { createLogger } from '../ui/logger.js';
import { logLevelOf, useColor, type CliFlags } from './flags.js';

/** `hot init`: a commented .hotrc.toml from the example shipped with hot. */
export function runInit(flags: CliFlags): void {
  const logger = createLogger({ level: logLevelOf(flags), color: useColor(flags) });
  const template = readFileSync(new URL('../../.hotrc.toml.example', import.meta.url), 'utf8');
  const { entry } = writeStarterConfig(process.cwd(), template);
  logger.success(`wrote .hotrc.toml${entry ? ` (build.entry = "${entry}")` : ''}`);
  logger.info(entry ? 'run `hot` to start' : 'set build.entry (or bin) in it, then run `hot`');
}
