import { SETTINGS, type CliOverrides, type SettingSpec } from './schema.js';
import { convertFlagValue } from './validate.js';

/** Flags as cac hands them over: camelCased names; a repeated flag arrives as an array. */
export type ParsedFlags = Readonly<Record<string, unknown>>;

type OverrideSpec = SettingSpec & { flag: string; override: string };

const OVERRIDE_SPECS = SETTINGS.filter((spec): spec is OverrideSpec => spec.flag !== null && spec.override !== undefined);

/** The property cac puts a flag's value under: `kill-timeout` arrives as `killTimeout`. */
export function flagProperty(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * The CliOverrides that parsed flags ask for, one field per row of the settings table with an
 * `override`. Values are validated and converted like the file's (a bad one is a ConfigError naming
 * the flag); a boolean is on when given, or when the row's `env` variable is 1 or true.
 */
export function overridesFromFlags(flags: ParsedFlags, env: NodeJS.ProcessEnv = process.env): CliOverrides {
  const overrides: Record<string, unknown> = {};
  for (const spec of OVERRIDE_SPECS) {
    const raw = flags[flagProperty(spec.flag)];
    if (spec.type === 'boolean') {
      if (raw || isOn(spec.env === undefined ? undefined : env[spec.env])) overrides[spec.override] = true;
    } else if (raw !== undefined) {
      overrides[spec.override] = convertFlagValue(spec.flag, spec.type === 'string-list' ? toList(raw) : raw);
    }
  }
  return overrides as CliOverrides;
}

function isOn(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/** A repeatable flag given once arrives as a single value. */
function toList(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map(String);
}
