import { describe, expect, it } from 'vitest';
import { createRecentPaths } from '../../../src/watch/recent-paths.js';

describe('createRecentPaths', () => {
  it('knows a path for the window after it was noted, and not after', () => {
    const recent = createRecentPaths(600);
    recent.note('/p/a.ts', 1000);
    expect(recent.has('/p/a.ts', 1599)).toBe(true);
    expect(recent.has('/p/a.ts', 1600)).toBe(false);
    expect(recent.has('/p/b.ts', 1000)).toBe(false);
  });

  it('forgets paths older than the window, so it does not grow with every file ever changed', () => {
    const recent = createRecentPaths(600);
    for (let i = 0; i < 10_000; i++) recent.note(`/p/generated-${i}.js`, i / 10);
    expect(recent.size).toBeGreaterThan(5000);
    recent.note('/p/a.ts', 5000);
    expect(recent.size).toBe(1);
    expect(recent.has('/p/a.ts', 5000)).toBe(true);
  });

  it('keeps what is still inside the window when it forgets', () => {
    const recent = createRecentPaths(600);
    recent.note('/p/old.ts', 0);
    recent.note('/p/young.ts', 500);
    recent.note('/p/new.ts', 700);
    expect(recent.has('/p/old.ts', 700)).toBe(false);
    expect(recent.has('/p/young.ts', 700)).toBe(true);
    expect(recent.size).toBe(2);
  });
});
