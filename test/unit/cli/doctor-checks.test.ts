import { describe, expect, it } from 'vitest';
import { launcherOf } from '../../../src/cli/doctor-checks.js';

describe('launcherOf', () => {
  const entry = '/app/src/main.ts';
  const hot = '/app/node_modules/hot-cli/dist/preload';

  it('names the package whose script runs the entry, with its arguments', () => {
    const argv = ['node', '--require', '/app/node_modules/tsx/dist/suppress-warnings.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs', '/app/node_modules/fastify-cli/cli.js', 'start', '-l', 'info', entry];
    expect(launcherOf(argv, entry)).toBe('fastify-cli start -l info');
  });

  it('takes no preload for a launcher, hot\'s own installed in node_modules included', () => {
    const argv = ['node', '--require', '/app/node_modules/tsx/dist/suppress-warnings.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs', '--import', `file://${hot}/decorator-metadata.js`, `--import=file://${hot}/standby.js`, entry];
    expect(launcherOf(argv, entry)).toBeNull();
  });
});
