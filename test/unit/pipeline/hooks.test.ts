import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../../src/pipeline/hooks.js';

/** A run that finishes when the test says so. */
function controlledRuns() {
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  const run = (value: string): Promise<void> => {
    started.push(value);
    return new Promise<void>((resolve) => finishers.push(resolve));
  };
  const finishNext = async (): Promise<void> => {
    finishers.shift()!();
    // Lets the queue start what waited.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { run, started, finishNext };
}

describe('oneAtATime (on_crash hooks)', () => {
  it('runs one at a time: a call while one runs waits, and only the latest of several waits', async () => {
    const { run, started, finishNext } = controlledRuns();
    const submit = oneAtATime(run);
    submit('crash 1');
    submit('crash 2');
    submit('crash 3');
    submit('crash 4');
    expect(started).toEqual(['crash 1']);
    await finishNext();
    expect(started).toEqual(['crash 1', 'crash 4']);
    await finishNext();
    expect(started).toEqual(['crash 1', 'crash 4']);
  });

  it('runs at once again when nothing runs', async () => {
    const { run, started, finishNext } = controlledRuns();
    const submit = oneAtATime(run);
    submit('a');
    await finishNext();
    submit('b');
    expect(started).toEqual(['a', 'b']);
  });

  it('goes on with the waiting one after a run that failed', async () => {
    const started: string[] = [];
    let fail: (error: Error) => void = () => {};
    const submit = oneAtATime((value: string) => {
      started.push(value);
      return value === 'a' ? new Promise<void>((_resolve, reject) => (fail = reject)) : Promise.resolve();
    });
    submit('a');
    submit('b');
    fail(new Error('boom'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b']);
  });
});
