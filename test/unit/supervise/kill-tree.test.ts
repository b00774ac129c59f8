import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGroupProbe, nextPollMs, waitForGroupExit, type GroupReaders, type GroupSignal } from '../../../src/supervise/kill-tree.js';

/** A process group as /proc would show it: the test moves its members in and out. */
function fakeGroup(pgid: number, initial: number[]) {
  const live = new Set(initial);
  let signal: GroupSignal = 'sent';
  const calls = { signal: 0, stat: 0, walk: 0 };
  const readers: GroupReaders = {
    signal: (asked) => {
      calls.signal++;
      return asked === pgid && (live.size > 0 || signal === 'denied') ? signal : 'gone';
    },
    isLiveMember: (pid, asked) => {
      calls.stat++;
      return asked === pgid && live.has(pid);
    },
    members: (asked) => {
      calls.walk++;
      return asked === pgid ? [...live] : [];
    },
  };
  return {
    readers,
    calls,
    live,
    deny: () => {
      signal = 'denied';
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createGroupProbe', () => {
  it('walks /proc once, then asks only the members it knows while one of them lives', () => {
    const group = fakeGroup(100, [100, 101, 102]);
    const probe = createGroupProbe(100, group.readers);
    expect(probe.state()).toBe('alive');
    expect(group.calls.walk).toBe(1);
    for (let i = 0; i < 10; i++) expect(probe.state()).toBe('alive');
    expect(group.calls.walk).toBe(1);
    group.live.delete(100);
    group.live.delete(101);
    expect(probe.state()).toBe('alive');
    expect(group.calls.walk).toBe(1);
  });

  it('walks again when every known member is gone but kill(0) still reaches someone (a new member, or zombies)', () => {
    const group = fakeGroup(100, [100]);
    const probe = createGroupProbe(100, group.readers);
    expect(probe.state()).toBe('alive');
    group.live.delete(100);
    group.live.add(105);
    expect(probe.state()).toBe('alive');
    expect(group.calls.walk).toBe(2);
    expect(probe.state()).toBe('alive');
    expect(group.calls.walk).toBe(2);
  });

  it('costs one kill(0) and nothing else once the group is gone', () => {
    const group = fakeGroup(100, [100]);
    const probe = createGroupProbe(100, group.readers);
    group.live.clear();
    expect(probe.state()).toBe('gone');
    expect(group.calls).toEqual({ signal: 1, stat: 0, walk: 0 });
  });

  it('says denied, not gone, when processes are left that hot may not signal', () => {
    const group = fakeGroup(100, [100]);
    group.deny();
    expect(createGroupProbe(100, group.readers).state()).toBe('denied');
  });
});

describe('waitForGroupExit', () => {
  it('polls soon at first and then less often, up to 100 ms apart', () => {
    const intervals = [10];
    while (intervals.length < 7) intervals.push(nextPollMs(intervals.at(-1)!));
    expect(intervals).toEqual([10, 20, 40, 80, 100, 100, 100]);
  });

  it('resolves true once the group is gone, and false at the deadline while it lives', async () => {
    vi.useFakeTimers();
    const group = fakeGroup(100, [100, 101]);
    const exited = waitForGroupExit(100, 5000, group.readers);
    await vi.advanceTimersByTimeAsync(1000);
    group.live.clear();
    await vi.advanceTimersByTimeAsync(100);
    await expect(exited).resolves.toBe(true);
    // About 1 s of polling: 10 + 20 + 40 + 80 + 100 … checks, and a single walk of /proc.
    expect(group.calls.signal).toBeLessThan(20);
    expect(group.calls.walk).toBe(1);

    const stuck = fakeGroup(200, [200]);
    const timedOut = waitForGroupExit(200, 300, stuck.readers);
    await vi.advanceTimersByTimeAsync(300);
    await expect(timedOut).resolves.toBe(false);
  });

  it('does not wait for a group hot may not signal', async () => {
    const group = fakeGroup(100, [100]);
    group.deny();
    await expect(waitForGroupExit(100, 60_000, group.readers)).resolves.toBe(true);
  });
});
