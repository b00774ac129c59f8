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
    expect(results).toEqual([null, null, 'build']);
  });

  it('still sees the loop when each build\'s write is reported only during the next build (a watcher that batches)', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    const results: Array<string | null> = [];
    let writtenAt: number | null = null;
    for (let round = 0; round < 5; round++) {
      results.push(guard.isLooping(['/p/out.js']));
      guard.buildStarted();
      time.advance(20);
      // The previous build's write arrives now, late; this build writes the file again near its end.
      if (writtenAt !== null) guard.noteChange('/p/out.js', writtenAt, true);
      time.advance(100);
      writtenAt = time.now();
      time.advance(10);
      guard.buildFinished();
    }
    // The first cycle's write is known a cycle later: three self-started cycles in a row, one round on.
    expect(results).toEqual([null, null, null, null, 'build']);
  });

  it('does not credit a build with a save made just after it ended, however often', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    const results: Array<string | null> = [];
    for (let round = 0; round < 4; round++) {
      guard.buildStarted();
      time.advance(300);
      guard.buildFinished();
      // Saved 5 ms after the build ended, as a script that edits as soon as it sees the restart does.
      guard.noteChange('/p/greeting.go', time.advance(5), true);
      results.push(guard.isLooping(['/p/greeting.go']));
    }
    expect(results).toEqual([null, null, null, null]);
  });

  it('credits the previous build only with an event that came late, soon after this build started', () => {
    const time = clock();
    // One self-started cycle is a loop here, so a wrong credit shows at once.
    const guard = createLoopGuard({ now: time.now, threshold: 1 });
    guard.buildStarted();
    const writtenAt = time.advance(50);
    time.advance(10);
    guard.buildFinished();
    time.advance(200);
    guard.buildStarted();
    time.advance(1000); // reported long after this build started: not a late event of the previous one
    guard.noteChange('/p/out.js', writtenAt, true);
    guard.buildFinished();
    expect(guard.isLooping(['/p/out.js'])).toBeNull();
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
      expect(guard.isLooping(['/p/src/a.ts'])).toBeNull();
    }
  });

  it('resets the streak when a cycle includes a change of the user', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now, threshold: 2 });
    guard.buildStarted();
    guard.noteChange('/p/out.js', time.now());
    guard.buildFinished();
    expect(guard.isLooping(['/p/out.js'])).toBeNull();
    expect(guard.isLooping(['/p/out.js', '/p/src/user.ts'])).toBeNull();
    expect(guard.isLooping(['/p/out.js'])).toBeNull();
    expect(guard.isLooping(['/p/out.js'])).toBe('build');
  });

  it('starts counting again when the self-written files are not the same as last round', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now, threshold: 2 });
    guard.buildStarted();
    guard.noteChange('/p/out.js', time.now());
    guard.noteChange('/p/src/user.ts', time.now());
    guard.buildFinished();
    expect(guard.isLooping(['/p/out.js'])).toBeNull();
    expect(guard.isLooping(['/p/src/user.ts'])).toBeNull();
    expect(guard.isLooping(['/p/src/user.ts'])).toBe('build');
  });

  it('ignores deletions and changes before any build', () => {
    const guard = createLoopGuard();
    guard.noteChange('/p/a.js', Date.now());
    expect(guard.isLooping(['/p/a.js'])).toBeNull();
    guard.buildStarted();
    guard.noteChange('/p/b.js', undefined);
    guard.buildFinished();
    expect(guard.isLooping(['/p/b.js'])).toBeNull();
  });

  it('calls it the program\'s loop when a file changes right after each start', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    const results: Array<string | null> = [];
    for (let round = 0; round < 3; round++) {
      guard.buildStarted();
      time.advance(20);
      guard.buildFinished();
      guard.programStarted();
      time.advance(80);
      guard.noteChange('/p/data.json', time.now()); // the program writes it as it starts
      time.advance(100);
      results.push(guard.isLooping(['/p/data.json']));
    }
    expect(results).toEqual([null, null, 'program']);
  });

  it('does not count a save that comes after the program\'s start window', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now, programWindowMs: 500 });
    for (let round = 0; round < 5; round++) {
      guard.buildStarted();
      guard.buildFinished();
      guard.programStarted();
      time.advance(800);
      guard.noteChange('/p/src/a.ts', time.now());
      expect(guard.isLooping(['/p/src/a.ts'])).toBeNull();
    }
  });

  it('counts a file written while a hook runs as the hook\'s, even when the event comes before the hook ends', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    const results: Array<string | null> = [];
    for (let round = 0; round < 3; round++) {
      guard.buildStarted();
      guard.buildFinished();
      guard.programStarted();
      time.advance(1000);
      const finished = guard.hookStarted();
      time.advance(600);
      guard.noteChange('/p/generated.js', time.now());
      time.advance(5);
      finished();
      results.push(guard.isLooping(['/p/generated.js']));
    }
    expect(results).toEqual([null, null, 'hook']);
  });

  it('never counts program code as written by the program, however soon after a start it changes', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    for (let round = 0; round < 5; round++) {
      guard.buildStarted();
      guard.buildFinished();
      guard.programStarted();
      time.advance(100);
      guard.noteChange('/p/app.mjs', time.now(), true);
      expect(guard.isLooping(['/p/app.mjs'])).toBeNull();
    }
  });

  it('never counts code saved during a long hook (a type-check, a test run) toward a loop', () => {
    const time = clock();
    const guard = createLoopGuard({ now: time.now });
    for (let round = 0; round < 5; round++) {
      guard.buildStarted();
      guard.buildFinished();
      const finished = guard.hookStarted();
      time.advance(1500);
      guard.noteChange('/p/src/a.ts', time.now(), true); // the person saves while tsc --noEmit runs
      time.advance(500);
      finished();
      expect(guard.isLooping(['/p/src/a.ts'])).toBeNull();
    }
  });
});
