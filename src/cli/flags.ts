import { overridesFromFlags, type ParsedFlags } from '../config/flags.js';
import type { CliOverrides } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { shouldUseColor, type LogLevel } from '../ui/logger.js';

/** What cac hands a command's action: the flags by camelCased name, and the words after `--`. */
export type CliFlags = ParsedFlags & { '--'?: string[] };

/** The settings the command line overrides: the table's flags, the entry file, or a command after `--`. */
export function toOverrides(entry: string | undefined, flags: CliFlags): CliOverrides {
  const overrides = overridesFromFlags(flags);
  if (entry !== undefined) overrides.entry = entry;
  if (flags['--'] && flags['--'].length > 0) overrides.command = flags['--'].map(String);
  if (overrides.entry && overrides.command) {
    throw new ConfigError('give either an entry file or a command after --, not both');
  }
  return overrides;
}

/** `--config`; repeated, the last one wins, as with every other flag. */
export function configPathOf(flags: CliFlags): string | undefined {
  const value = Array.isArray(flags.config) ? flags.config.at(-1) : flags.config;
  return value === undefined ? undefined : String(value);
}

/** `--filter`, repeatable. */
export function filtersOf(flags: CliFlags): string[] {
  if (flags.filter === undefined) return [];
  return (Array.isArray(flags.filter) ? flags.filter : [flags.filter]).map(String);
}

export function logLevelOf(flags: CliFlags): LogLevel {
  if (flags.debug || process.env.HOT_DEBUG === '1' || flags.verbose) return 'debug';
  if (flags.quiet) return 'error';
  return 'info';
}

/** Colour on stderr unless `--no-color`, NO_COLOR or a pipe says otherwise. */
export function useColor(flags: CliFlags): boolean {
  return flags.color !== false && shouldUseColor(process.stderr);
}
