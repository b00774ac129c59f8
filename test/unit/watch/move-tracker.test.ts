import { describe, expect, it } from 'vitest';
import { createMoveTracker } from '../../../src/watch/move-tracker.js';

describe('createMoveTracker', () => {
  it('recognises the late deletion of a file just added under another directory', () => {
    let t = 0;
    const tracker = createMoveTracker(1500, () => t);
    expect(tracker.isTailOfMove({ kind: 'add', path: '/p/src/new/b.ts' })).toBe(false);
    t = 400;
    expect(tracker.isTailOfMove({ kind: 'unlink', path: '/p/src/old/b.ts' })).toBe(true);
  });

  it('lets a plain deletion, a late one, and changes through', () => {
    let t = 0;
    const tracker = createMoveTracker(1500, () => t);
    expect(tracker.isTailOfMove({ kind: 'unlink', path: '/p/src/a.ts' })).toBe(false);
    tracker.isTailOfMove({ kind: 'add', path: '/p/src/new/b.ts' });
    t = 2000;
    expect(tracker.isTailOfMove({ kind: 'unlink', path: '/p/src/old/b.ts' })).toBe(false);
    expect(tracker.isTailOfMove({ kind: 'change', path: '/p/src/new/b.ts' })).toBe(false);
  });
});
