import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskBuildError } from '../../../src/build/disk-error.js';
import { BuildError, describeErrno, errnoCode } from '../../../src/errors.js';

/** What Node throws for a failed system call, without needing the failure. */
function systemError(code: string, errno: number, syscall = 'open'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, ${syscall}`), { code, errno, syscall });
}

describe('errnoCode', () => {
  it('reads the code of a real system error', () => {
    let thrown: unknown;
    try {
      writeFileSync(path.join(os.tmpdir(), 'hot-no-such-dir', 'x', 'y'), '');
    } catch (error) {
      thrown = error;
    }
    expect(errnoCode(thrown)).toBe('ENOENT');
  });

  it.each([
    ['a plain Error', new Error('boom')],
    ["Node's own argument error", Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' })],
    ['a code without errno', Object.assign(new Error('x'), { code: 'EACCES' })],
    ['a string', 'EACCES'],
    ['null', null],
  ])('is undefined for %s', (_name, error) => {
    expect(errnoCode(error)).toBeUndefined();
  });
});

describe('describeErrno', () => {
  it.each([
    ['EACCES', 'permission denied (EACCES)'],
    ['ENOSPC', 'no space left on device (ENOSPC)'],
    ['EROFS', 'read-only file system (EROFS)'],
    ['ENOTDIR', 'not a directory (ENOTDIR)'],
    ['EISDIR', 'is a directory (EISDIR)'],
    ['EDQUOT', 'disk quota exceeded (EDQUOT)'],
    ['ENOTACODE', 'ENOTACODE'],
  ])('%s -> %s', (code, words) => {
    expect(describeErrno(code)).toBe(words);
  });
});

describe('diskBuildError', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const write = { doing: 'write the bundle to', setting: 'build.outfile' };

  it('leaves a programming error alone', () => {
    expect(diskBuildError(new TypeError('x is undefined'), { ...write, file: '/p/dist/a.mjs' }, '/p')).toBeUndefined();
  });

  it('names the file relative to the cwd, the cause in words, and a hint on a second line', () => {
    const error = diskBuildError(systemError('EACCES', -13), { ...write, file: '/p/dist/server.mjs' }, '/p');
    expect(error).toBeInstanceOf(BuildError);
    expect(error!.message).toBe('cannot write the bundle to dist/server.mjs: permission denied (EACCES)');
    expect(error!.hint).toBe('check the permissions of dist, or set build.outfile to another path; then save a file to rebuild');
    expect(error!.diagnostics).toBe(`${error!.message}\nhint: ${error!.hint}`);
    expect(error!.cause).toBeInstanceOf(Error);
  });

  it.each([
    ['EROFS', -30, /read-only: set build\.outfile to a writable path/],
    ['ENOSPC', -28, /^free some disk space/],
    ['EISDIR', -21, /a directory is where the file should be/],
    ['EIO', -5, /^check that path and the disk/],
  ])('gives %s a hint of its own', (code, errno, hint) => {
    const error = diskBuildError(systemError(code, errno), { ...write, file: '/p/dist/server.mjs' }, '/p');
    expect(error!.diagnostics.split('\n')).toHaveLength(2);
    expect(error!.hint).toMatch(hint);
  });

  it('names the file that stands where a directory should be', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-disk-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'out', 'blocker'), 'not a directory\n');
    const error = diskBuildError(systemError('ENOTDIR', -20, 'mkdir'), { ...write, file: path.join(dir, 'out', 'blocker', 'deeper', 'a.mjs') }, dir);
    expect(error!.message).toBe('cannot write the bundle to out/blocker/deeper/a.mjs: not a directory (ENOTDIR)');
    expect(error!.hint).toBe('out/blocker is a file, not a directory: remove it, or set build.outfile to another path; then save a file to rebuild');
  });
});
