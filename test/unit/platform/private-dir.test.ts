import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HotError } from '../../../src/errors.js';
import { ensurePrivateDir } from '../../../src/platform/private-dir.js';

/**
 * hot's per-user cache directory. The tests run as root, so "another user" is a directory chowned to
 * uid 1234, which root can make and hot must still refuse.
 */
describe('ensurePrivateDir', () => {
  let base: string;
  let other: string;
  beforeEach(() => {
    base = mkdtempSync(path.join(os.tmpdir(), 'hot-private-'));
    other = mkdtempSync(path.join(os.tmpdir(), 'hot-other-'));
  });
  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  const mode = (dir: string): number => statSync(dir).mode & 0o777;

  function refusal(dir: string): HotError {
    try {
      ensurePrivateDir(base, dir);
    } catch (error) {
      expect(error).toBeInstanceOf(HotError);
      return error as HotError;
    }
    throw new Error('ensurePrivateDir accepted it');
  }

  it('makes the base (when missing) and every directory below it, each with mode 0700', () => {
    const cache = path.join(base, 'home', '.cache');
    ensurePrivateDir(cache, path.join(cache, 'hot', 'app-1234'));
    expect(mode(path.join(cache, 'hot'))).toBe(0o700);
    expect(mode(path.join(cache, 'hot', 'app-1234'))).toBe(0o700);
  });

  it('accepts its own directories again, on the next run', () => {
    ensurePrivateDir(base, path.join(base, 'hot', 'app'));
    writeFileSync(path.join(base, 'hot', 'app', 'server.mjs'), '');
    ensurePrivateDir(base, path.join(base, 'hot', 'app'));
    expect(readdirSync(path.join(base, 'hot', 'app'))).toEqual(['server.mjs']);
  });

  it('refuses a symbolic link planted where the cache directory goes, and leaves its target alone', () => {
    symlinkSync(other, path.join(base, 'hot'));
    const error = refusal(path.join(base, 'hot', 'app'));
    expect(error.code).toBe('CACHE_UNSAFE');
    expect(error.message).toBe(`hot's cache directory ${path.join(base, 'hot')} is a symbolic link: refusing to use it`);
    expect(error.hint).toMatch(/XDG_CACHE_HOME/);
    expect(readdirSync(other)).toEqual([]);
    expect(lstatSync(path.join(base, 'hot')).isSymbolicLink()).toBe(true);
  });

  it('refuses a symbolic link at the per-project directory too', () => {
    mkdirSync(path.join(base, 'hot'), { mode: 0o700 });
    symlinkSync(other, path.join(base, 'hot', 'app'));
    expect(refusal(path.join(base, 'hot', 'app')).message).toMatch(/hot\/app is a symbolic link: refusing to use it$/);
    expect(readdirSync(other)).toEqual([]);
  });

  it('refuses a directory that belongs to another user, without changing it', () => {
    mkdirSync(path.join(base, 'hot'), { mode: 0o777 });
    chmodSync(path.join(base, 'hot'), 0o777);
    chownSync(path.join(base, 'hot'), 1234, 1234);
    const error = refusal(path.join(base, 'hot', 'app'));
    expect(error.message).toBe(`hot's cache directory ${path.join(base, 'hot')} belongs to another user (uid 1234): refusing to use it`);
    expect(error.hint).toMatch(/^someone may be trying to have hot run their code/);
    expect(mode(path.join(base, 'hot'))).toBe(0o777);
    expect(readdirSync(path.join(base, 'hot'))).toEqual([]);
  });

  it('makes a group- or world-writable (or readable) directory of its own private', () => {
    mkdirSync(path.join(base, 'hot', 'app'), { recursive: true });
    chmodSync(path.join(base, 'hot'), 0o777);
    chmodSync(path.join(base, 'hot', 'app'), 0o755);
    ensurePrivateDir(base, path.join(base, 'hot', 'app'));
    expect(mode(path.join(base, 'hot'))).toBe(0o700);
    expect(mode(path.join(base, 'hot', 'app'))).toBe(0o700);
  });

  it('refuses a file where the directory should be', () => {
    writeFileSync(path.join(base, 'hot'), '');
    expect(refusal(path.join(base, 'hot', 'app')).message).toMatch(/ is not a directory: refusing to use it$/);
  });
});
