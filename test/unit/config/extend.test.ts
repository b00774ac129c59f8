import { describe, expect, it } from 'vitest';
import { extendUserConfig } from '../../../src/config/load.js';

describe('extendUserConfig (a package over the monorepo root)', () => {
  it('lets set keys win, merges [run], [run.env], [restart] and [serve] key by key', () => {
    const merged = extendUserConfig(
      { delayMs: 50, exclude: ['**/*.test.ts'], run: { killTimeoutMs: 2000, env: { A: 'root', B: 'root' } }, restart: { maxRestarts: 3 } },
      // Validation leaves unset keys present and undefined: they must not erase the root's.
      { delayMs: undefined, run: { killTimeoutMs: undefined, env: { B: 'pkg' } }, restart: { maxRestarts: undefined, windowMs: 1000 } },
    );
    expect(merged).toMatchObject({ delayMs: 50, exclude: ['**/*.test.ts'], run: { killTimeoutMs: 2000, env: { A: 'root', B: 'pkg' } }, restart: { maxRestarts: 3, windowMs: 1000 } });
  });

  it("takes [build] whole from the package when it has one, since its keys go together", () => {
    const base = { build: { entry: 'src/index.ts' } };
    expect(extendUserConfig(base, { build: { cmd: { kind: 'shell', line: 'tsc' } } }).build).toEqual({ cmd: { kind: 'shell', line: 'tsc' } });
    expect(extendUserConfig(base, { build: { cmd: undefined, entry: undefined } }).build).toEqual({ entry: 'src/index.ts' });
  });
});
