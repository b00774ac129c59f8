import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeExitStatus, formatDuration, formatPaths, relativeTo } from '../../../src/ui/format.js';

const CWD = path.resolve('/proj');

describe('formatPaths', () => {
  it('names the latest path relative to the cwd and counts the rest', () => {
    expect(formatPaths([], CWD)).toBe('nothing');
    expect(formatPaths([path.join(CWD, 'src/a.ts')], CWD)).toBe(path.join('src', 'a.ts'));
    expect(formatPaths([path.join(CWD, 'a.ts'), path.join(CWD, 'b.ts'), path.join(CWD, 'c.ts')], CWD)).toBe('c.ts (+2 more)');
  });
});

describe('relativeTo', () => {
  it('returns . for the cwd itself and climbs out with ..', () => {
    expect(relativeTo(CWD, CWD)).toBe('.');
    expect(relativeTo(path.resolve('/other/x.ts'), CWD)).toBe(path.join('..', 'other', 'x.ts'));
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [84.4, '84 ms'],
    [9999, '9999 ms'],
    [10_000, '10.0 s'],
    [12_345, '12.3 s'],
  ])('%d -> %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('describeExitStatus', () => {
  it.each([
    [1, null, 'exited with code 1'],
    [0, null, 'exited with code 0'],
    [null, 'SIGSEGV', 'was killed by SIGSEGV'],
    [null, null, 'exited with code unknown'],
  ])('(%s, %s) -> %s', (code, signal, expected) => {
    expect(describeExitStatus(code, signal)).toBe(expected);
  });
});
