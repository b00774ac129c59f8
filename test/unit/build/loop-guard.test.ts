import { describe, expect, it } from 'vitest';
import { createLoopGuard } from '../../../src/build/loop-guard.js';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createLoopGuard', () => {
  it('calls it a loop after three cycles started only by files the previous build wrote', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    const results: boolean[] = [];
    for (let round = 0; round < 3; round++) {
      guard.buildStarted();
      time.advance(50);
      guard.noteChange('/p/out.js', time.now()); // written by the build
      time.advance(50);
      guard.buildFinished();
      time.advance(200);
      results.push(guard.isLooping(['/p/out.js']));
    }
    expect(results).toEqual([false, false, true]);
  });

  it('never counts a file the user saved after the build ended', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    for (let round = 0; round < 5; round++) {
      guard.buildStarted();
      time.advance(100);
      guard.buildFinished();
      time.advance(30);
      guard.noteChange('/p/src/a.ts', time.now()); // modified after the build
      expect(guard.isLooping(['/p/src/a.ts'])).toBe(false);
    }
  });

  it('resets the streak when a cycle includes a change of the user', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now, threshold: 2 });
    guard.buildStarted();
    guard.noteChange('/p/out.js', time.now());
    guard.buildFinished();
    expect(guard.isLooping(['/p/out.js'])).toBe(false);
    expect(guard.isLooping(['/p/out.js', '/p/src/user.ts'])).toBe(false);
    expect(guard.isLooping(['/p/out.js'])).toBe(false);
    expect(guard.isLooping(['/p/out.js'])).toBe(true);
  });

  it('ignores deletions and changes before any build', () => {
    const guard = createLoopGuard();
    guard.noteChange('/p/a.js', Date.now());
    expect(guard.isLooping(['/p/a.js'])).toBe(false);
    guard.buildStarted();
    guard.noteChange('/p/b.js', undefined);
    guard.buildFinished();
    expect(guard.isLooping(['/p/b.js'])).toBe(false);
  });
});
