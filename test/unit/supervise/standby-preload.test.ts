import { describe, expect, it } from 'vitest';
import { loadsNoModule, withStandbyPreload } from '../../../src/supervise/standby.js';

const argv = (...args: string[]) => ({ kind: 'argv' as const, argv: ['/usr/bin/node', ...args] });

describe('where the held sockets preload goes', () => {
  it('joins the standby preload in the argv only when no loader or preload of any kind comes before the program', () => {
    expect(loadsNoModule(argv('app.mjs'), 1)).toBe(true);
    expect(loadsNoModule(argv('--enable-source-maps', '--max-old-space-size=4096', 'app.mjs'), 3)).toBe(true);
    expect(loadsNoModule(argv('--import', './tracing.mjs', 'server.js'), 3)).toBe(false);
    expect(loadsNoModule(argv('--import=./tracing.mjs', 'server.js'), 2)).toBe(false);
    // --require preloads run before every --import, wherever it is given: no reason to move.
    expect(loadsNoModule(argv('-r', 'dotenv/config', 'server.js'), 3)).toBe(true);
    expect(loadsNoModule(argv('--require=dotenv/config', 'server.js'), 2)).toBe(true);
    expect(loadsNoModule(argv('--experimental-loader', 'ts-node/esm', 'server.ts'), 3)).toBe(false);
    expect(loadsNoModule(argv('--loader=ts-node/esm', 'server.ts'), 2)).toBe(false);
    // The program's own arguments are its business.
    expect(loadsNoModule(argv('server.js', '--import', 'x'), 1)).toBe(true);
    expect(loadsNoModule({ kind: 'shell', line: 'node app.mjs' }, 0)).toBe(false);
  });

  it('puts the preload it is given where the node options end', () => {
    expect(withStandbyPreload(argv('--enable-source-maps', 'app.mjs'), 2, 'file:///hot/preload/hold-standby.js')).toEqual(argv('--enable-source-maps', '--import=file:///hot/preload/hold-standby.js', 'app.mjs'));
  });
});
