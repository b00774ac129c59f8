import { describe, expect, it } from 'vitest';
import { changedPathsVariables } from '../../../src/supervise/env.js';

describe('changedPathsVariables', () => {
  it('lists the paths one per line, and as a JSON array', () => {
    expect(changedPathsVariables(['/p/a.ts', '/p/b.ts'])).toEqual({ HOT_CHANGED: '/p/a.ts\n/p/b.ts', HOT_CHANGED_JSON: '["/p/a.ts","/p/b.ts"]' });
  });

  it('sets both, empty, when nothing changed', () => {
    expect(changedPathsVariables([])).toEqual({ HOT_CHANGED: '', HOT_CHANGED_JSON: '[]' });
  });

  it('keeps a name with a line break whole in HOT_CHANGED_JSON', () => {
    const paths = ['/p/two\nlines.ts', '/p/"quoted".ts', '/p/ünï.ts'];
    const variables = changedPathsVariables(paths);
    expect(variables.HOT_CHANGED!.split('\n')).toHaveLength(4);
    expect(JSON.parse(variables.HOT_CHANGED_JSON!)).toEqual(paths);
  });

  it('cuts a list too long for the environment and says so, keeping the same paths in both', () => {
    const paths = Array.from({ length: 5000 }, (_, i) => `/project/src/some/deep/folder/file-${i}.ts`);
    const variables = changedPathsVariables(paths);
    expect(variables.HOT_CHANGED_TRUNCATED).toBe('1');
    expect(Buffer.byteLength(variables.HOT_CHANGED!)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(variables.HOT_CHANGED_JSON!)).toBeLessThanOrEqual(64 * 1024);
    const kept = JSON.parse(variables.HOT_CHANGED_JSON!) as string[];
    expect(kept).toEqual(paths.slice(0, kept.length));
    expect(variables.HOT_CHANGED).toBe(kept.join('\n'));
  });
});
