import { describe, expect, it } from 'vitest';
import { checkHost, hostnameOf, isAllowedHost, type HostPolicy } from '../../../src/handoff/host-check.js';

const policy = (allowedHosts: HostPolicy['allowedHosts'] = [], serveHost = 'localhost'): HostPolicy => ({ serveHost, allowedHosts });

describe('hostnameOf', () => {
  it.each([
    ['localhost', 'localhost'],
    ['localhost:3000', 'localhost'],
    ['LocalHost.:3000', 'localhost'],
    ['App.Example.Test', 'app.example.test'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3000', '::1'],
    ['[::1]', '::1'],
    ['localhost:', 'localhost'],
  ])('%j is %j', (header, name) => {
    expect(hostnameOf(header)).toBe(name);
  });

  it.each(['', '::1', '[nope]:3000', 'user@evil.test', 'evil.test/path', 'a b', 'evil.test:80x'])('%j is not a host name', (header) => {
    expect(hostnameOf(header)).toBeNull();
  });
});

describe('isAllowedHost', () => {
  it.each(['localhost', 'app.localhost', 'a.b.localhost', '127.0.0.1', '::1', '192.168.1.20', '10.0.0.1', 'fe80::1'])('answers %j always', (name) => {
    expect(isAllowedHost(name, policy())).toBe(true);
  });

  it.each(['evil.test', 'localhost.evil.test', 'notlocalhost', '127.0.0.1.nip.io'])('refuses %j by default', (name) => {
    expect(isAllowedHost(name, policy())).toBe(false);
  });

  it('answers the configured serve.host, in any case', () => {
    expect(isAllowedHost('devbox.lan', policy([], 'DevBox.lan'))).toBe(true);
    expect(isAllowedHost('other.lan', policy([], 'devbox.lan'))).toBe(false);
  });

  it('answers exact names, and a leading dot takes the name and its subdomains', () => {
    const allowed = policy(['myapp.test', '.example.test']);
    for (const name of ['myapp.test', 'example.test', 'a.example.test', 'a.b.example.test']) expect({ name, ok: isAllowedHost(name, allowed) }).toEqual({ name, ok: true });
    for (const name of ['sub.myapp.test', 'notexample.test', 'example.test.evil', 'myapp.test.evil']) expect({ name, ok: isAllowedHost(name, allowed) }).toEqual({ name, ok: false });
  });

  it('answers any name with allowed_hosts = true', () => {
    expect(isAllowedHost('anything.example', policy('any'))).toBe(true);
  });
});

describe('checkHost', () => {
  it('allows a request without Host (HTTP/1.0): a browser always sends one', () => {
    expect(checkHost(['Accept', '*/*'], policy())).toEqual({ kind: 'allowed' });
  });

  it('refuses another name with a 403 that names it and says how to allow it', () => {
    const verdict = checkHost(['Host', 'rebound.example:3000'], policy());
    expect(verdict).toMatchObject({ kind: 'refused', status: 403 });
    if (verdict.kind !== 'refused') return;
    expect(verdict.text).toContain('"rebound.example"');
    expect(verdict.text).toContain('allowed_hosts = ["rebound.example"]');
  });

  it('refuses two Host headers (RFC 9112 §3.2) and a malformed one with a 400', () => {
    expect(checkHost(['Host', 'localhost', 'host', 'rebound.example'], policy())).toMatchObject({ kind: 'refused', status: 400 });
    expect(checkHost(['Host', 'user@rebound.example'], policy())).toMatchObject({ kind: 'refused', status: 400 });
  });
});
