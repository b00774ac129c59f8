import { describe, expect, it } from 'vitest';
import { changedPathsVariables } from '../../../src/supervise/env.js';

describe('changedPathsVariables', () => {
  it('lists the paths one per line', () => {
    expect(changedPathsVariables(['/p/a.ts', '/p/b.ts'])).toEqual({ HOT_CHANGED: '/p/a.ts\n/p/b.ts' });
  });

  it('cuts a list too long for the environment and says so', () => {
    const paths = Array.from({ length: 5000 }, (_, i) => `/project/src/some/deep/folder/file-${i}.ts`);
    const variables = changedPathsVariables(paths);
    expect(variables.HOT_CHANGED_TRUNCATED).toBe('1');
    expect(Buffer.byteLength(variables.HOT_CHANGED!)).toBeLessThanOrEqual(64 * 1024);
    expect(variables.HOT_CHANGED!.split('\n')[0]).toBe(paths[0]);
  });
});
