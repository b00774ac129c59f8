import { describe, expect, it } from 'vitest';
import { flagProperty, overridesFromFlags } from '../../../src/config/flags.js';
import { SETTINGS } from '../../../src/config/schema.js';
import { ConfigError } from '../../../src/errors.js';

describe('overridesFromFlags', () => {
  it('fills the override each table row names, converted like the file key', () => {
    const flags = { include: 'src/**', exclude: ['a/**', 'b/**'], delay: '2s', killSignal: 'int', killTimeout: '1m', port: 3000, clear: true, poll: true };
    expect(overridesFromFlags(flags, {})).toEqual({
      include: ['src/**'],
      exclude: ['a/**', 'b/**'],
      delayMs: 2000,
      killSignal: 'SIGINT',
      killTimeoutMs: 60_000,
      port: 3000,
      clear: true,
      poll: true,
    });
  });

  it('leaves out what was not given, and ignores flags that steer the command line itself', () => {
    expect(overridesFromFlags({ json: true, quiet: true, config: 'x.toml', filter: 'api', clear: false }, {})).toEqual({});
  });

  it('turns a boolean on from its environment variable (1 or true)', () => {
    expect(overridesFromFlags({}, { HOT_POLL: '1' })).toEqual({ poll: true });
    expect(overridesFromFlags({}, { HOT_POLL: 'true' })).toEqual({ poll: true });
    expect(overridesFromFlags({}, { HOT_POLL: '0' })).toEqual({});
  });

  it('takes --check-types alone, with a mode, or switched off', () => {
    expect(overridesFromFlags({ checkTypes: true }, {})).toEqual({ checkTypes: true });
    expect(overridesFromFlags({ checkTypes: 'block' }, {})).toEqual({ checkTypes: 'block' });
    expect(overridesFromFlags({ checkTypes: false }, {})).toEqual({ checkTypes: false });
    expect(overridesFromFlags({ checkTypes: 'false' }, {})).toEqual({ checkTypes: false });
    expect(() => overridesFromFlags({ checkTypes: 'strict' }, {})).toThrow('--check-types must be true, false or "block", got "strict" (string)');
  });

  it('uses the last value of a repeated single-valued flag', () => {
    expect(overridesFromFlags({ delay: [100, '3s'] }, {})).toEqual({ delayMs: 3000 });
  });

  it('rejects a bad value with a ConfigError naming the flag', () => {
    expect(() => overridesFromFlags({ delay: 'fast' }, {})).toThrow(ConfigError);
    expect(() => overridesFromFlags({ killTimeout: 'soon' }, {})).toThrow(/^--kill-timeout must be a number of milliseconds/);
    expect(() => overridesFromFlags({ port: 70000 }, {})).toThrow('--port must be a port number from 0 to 65535, got 70000 (number)');
  });

  it('reads each flag under the name cac gives it', () => {
    expect(flagProperty('kill-timeout')).toBe('killTimeout');
    expect(flagProperty('delay')).toBe('delay');
  });

  it('every override names a flag and a file key', () => {
    for (const setting of SETTINGS.filter((s) => s.override !== undefined)) {
      expect(setting.flag, String(setting.override)).not.toBeNull();
      expect(setting.key, String(setting.override)).not.toBeNull();
    }
  });
});
