import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../../src/config/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['delay', 'delay', 0],
    ['delya', 'delay', 1],
    ['dela', 'delay', 1],
    ['delayy', 'delay', 1],
    ['dxlay', 'delay', 1],
    ['', 'bin', 3],
    ['kitten', 'sitting', 3],
  ])('%s -> %s is %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe('closestMatch', () => {
  const keys = ['include', 'exclude', 'delay', 'bin', 'gitignore'];

  it('returns the nearest candidate in its own spelling', () => {
    expect(closestMatch('delya', keys)).toBe('delay');
    expect(closestMatch('GITINGORE', keys)).toBe('gitignore');
    expect(closestMatch('inclde', keys)).toBe('include');
  });

  it('allows one edit per three characters, at least one', () => {
    expect(closestMatch('bim', keys)).toBe('bin');
    expect(closestMatch('bxx', keys)).toBeUndefined();
    expect(closestMatch('gtiignroe', keys)).toBe('gitignore');
    expect(closestMatch('watch', keys)).toBeUndefined();
  });

  it('returns undefined without candidates', () => {
    expect(closestMatch('delay', [])).toBeUndefined();
  });
});
