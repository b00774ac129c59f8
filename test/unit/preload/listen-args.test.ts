import { describe, expect, it } from 'vitest';
import { parsePortListen, socketKey } from '../../../src/preload/listen-args.js';

const callback = (): void => {};

describe('parsePortListen: the listen() calls hot holds a socket for', () => {
  it.each<[string, unknown[], { port: number; host: string | null; ipv6Only?: boolean; options?: Record<string, unknown> }]>([
    ['a port', [3000], { port: 3000, host: null }],
    ['a port as a string (PORT)', ['3000'], { port: 3000, host: null }],
    ['a port and a host', [3000, '127.0.0.1'], { port: 3000, host: '127.0.0.1' }],
    ['a port, a host and a backlog', [3000, 'localhost', 100], { port: 3000, host: 'localhost', options: { backlog: 100 } }],
    ['a port and a backlog', [3000, 100], { port: 3000, host: null, options: { backlog: 100 } }],
    ['options', [{ port: 3000, host: '::1', exclusive: true }], { port: 3000, host: '::1', options: { exclusive: true } }],
    ['options with ipv6Only', [{ port: '8443', ipv6Only: true }], { port: 8443, host: null, ipv6Only: true, options: { ipv6Only: true } }],
    ['an empty host', [{ port: 3000, host: '' }], { port: 3000, host: null }],
  ])('%s', (_what, args, expected) => {
    expect(parsePortListen([...args, callback])).toEqual({ ipv6Only: false, options: {}, callback, ...expected });
  });

  it.each<[string, unknown[]]>([
    ['no arguments', []],
    ['only a callback', [callback]],
    ['port 0', [0]],
    ['options with port 0', [{ port: 0 }]],
    ['options without a port', [{ host: '127.0.0.1' }]],
    ['a Unix socket path', ['/tmp/app.sock']],
    ['options with a path', [{ path: '/tmp/app.sock' }]],
    ['an fd', [{ fd: 3 }]],
    ['a handle', [{ handle: {} }]],
    ['a server or socket', [{ _handle: {} }]],
    ['a port Node rejects itself', [70000]],
  ])('passes through: %s', (_what, args) => {
    expect(parsePortListen(args)).toBeNull();
  });

  it('names sockets by address (any: *), port and v6only', () => {
    expect(socketKey(null, 3000, false)).toBe('* 3000');
    expect(socketKey('::1', 3000, true)).toBe('::1 3000 v6only');
  });
});
