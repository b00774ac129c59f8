import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeExitStatus, formatDuration, formatPaths, printable, relativeTo } from '../../../src/ui/format.js';

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

describe('printable', () => {
  it('shows every C0 control character, DEL and every C1 control character as an escape', () => {
    expect(printable('a\u001b]0;owned\u0007b')).toBe('a\\x1b]0;owned\\x07b');
    expect(printable('tab\there\nnew\rline')).toBe('tab\\x09here\\x0anew\\x0dline');
    expect(printable('\u0000\u007f\u0080\u009b\u009f')).toBe('\\x00\\x7f\\x80\\x9b\\x9f');
  });

  it('leaves printable text, including non-ASCII letters, as it is', () => {
    expect(printable('src/café €/日本.ts')).toBe('src/café €/日本.ts');
  });
});

describe('names reach the terminal escaped', () => {
  const evil = path.join(CWD, 'src', 'x\u001b]52;c;ZXZpbA==\u0007.ts');

  it('relativeTo and formatPaths escape control characters in file names', () => {
    expect(relativeTo(evil, CWD)).toBe(path.join('src', 'x\\x1b]52;c;ZXZpbA==\\x07.ts'));
    expect(formatPaths([path.join(CWD, 'a.ts'), evil], CWD)).toBe(`${path.join('src', 'x\\x1b]52;c;ZXZpbA==\\x07.ts')} (+1 more)`);
    expect(relativeTo(path.join(CWD, 'line\nbreak.txt'), CWD)).toBe('line\\x0abreak.txt');
  });
});
