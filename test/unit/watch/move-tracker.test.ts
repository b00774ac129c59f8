import { describe, expect, it } from 'vitest';
import { createMoveTracker } from '../../../src/watch/move-tracker.js';

function tracker(existing: string[]) {
  let t = 0;
  const files = new Set(existing);
  const moves = createMoveTracker({ windowMs: 1500, now: () => t, exists: (file) => files.has(file) });
  return { moves, files, advance: (ms: number) => (t += ms) };
}

describe('createMoveTracker', () => {
  it('recognises the late deletion of a file whose directory moved', () => {
    const { moves, advance } = tracker(['/p/src/new', '/p/src/new/b.ts']);
    expect(moves.isTailOfMove({ kind: 'add', path: '/p/src/new/b.ts' })).toBe(false);
    advance(400);
    expect(moves.isTailOfMove({ kind: 'unlink', path: '/p/src/old/b.ts' })).toBe(true);
    // One addition pays for one deletion only.
    expect(moves.isTailOfMove({ kind: 'unlink', path: '/p/src/older/b.ts' })).toBe(false);
  });

  it('counts a deleted file whose directory is still there, even if its name was just added elsewhere', () => {
    const { moves } = tracker(['/p/src/a', '/p/src/a/index.js', '/p/src/b']);
    moves.isTailOfMove({ kind: 'add', path: '/p/src/a/index.js' });
    expect(moves.isTailOfMove({ kind: 'unlink', path: '/p/src/b/index.js' })).toBe(false);
  });

  it('counts a file created and deleted again', () => {
    const { moves, files } = tracker(['/p/src/new.js']);
    moves.isTailOfMove({ kind: 'add', path: '/p/src/new.js' });
    files.delete('/p/src/new.js');
    expect(moves.isTailOfMove({ kind: 'unlink', path: '/p/src/new.js' })).toBe(false);
  });

  it('forgets additions older than the window, and ignores changes', () => {
    const { moves, advance } = tracker(['/p/src/new/b.ts']);
    moves.isTailOfMove({ kind: 'add', path: '/p/src/new/b.ts' });
    advance(2000);
    expect(moves.isTailOfMove({ kind: 'unlink', path: '/p/src/old/b.ts' })).toBe(false);
    expect(moves.isTailOfMove({ kind: 'change', path: '/p/src/new/b.ts' })).toBe(false);
  });
});
