import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeBatch } from '../../../src/events.js';
import { createBatcher, maxWaitFor, NEW_FILE_SETTLE_MS } from '../../../src/watch/batch.js';

/** setImmediate stays real: a due batch waits for one real look at pending I/O. */
const CLOCK_ONLY = { toFake: ['setTimeout', 'clearTimeout', 'Date'] } as const;

/** Moves the clock on, then lets what a due timer left for after pending I/O run (a batch is delivered there). */
async function advance(ms: number): Promise<void> {
  vi.advanceTimersByTime(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

describe('createBatcher', () => {
  let batches: ChangeBatch[];

  beforeEach(() => {
    vi.useFakeTimers(CLOCK_ONLY);
    batches = [];
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers after the quiet period and not before', async () => {
    const batcher = createBatcher(100, (batch) => batches.push(batch));
    batcher.add('/p/a.ts');
    await advance(99);
    expect(batches).toEqual([]);
    expect(batcher.pendingCount).toBe(1);
    await advance(1);
    expect(batches).toEqual([{ paths: ['/p/a.ts'] }]);
    expect(batcher.pendingCount).toBe(0);
  });

  it('restarts the quiet period on every change, so a burst is one batch', async () => {
    const batcher = createBatcher(100, (batch) => batches.push(batch), { burstQuietMs: 0 });
    for (let i = 0; i < 20; i++) {
      batcher.add(`/p/f${i}.ts`);
      await advance(60);
    }
    expect(batches).toEqual([]);
    await advance(40);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.paths).toHaveLength(20);
  });

  it('keeps each path once, ordered by its latest change', async () => {
    const batcher = createBatcher(50, (batch) => batches.push(batch), { burstQuietMs: 0 });
    batcher.add('/p/a.ts');
    batcher.add('/p/b.ts');
    batcher.add('/p/a.ts');
    expect(batcher.pendingCount).toBe(2);
    await advance(50);
    expect(batches).toEqual([{ paths: ['/p/b.ts', '/p/a.ts'] }]);
  });

  it('starts a fresh batch after delivering one', async () => {
    const batcher = createBatcher(50, (batch) => batches.push(batch));
    batcher.add('/p/a.ts');
    await advance(50);
    batcher.add('/p/b.ts');
    await advance(50);
    expect(batches).toEqual([{ paths: ['/p/a.ts'] }, { paths: ['/p/b.ts'] }]);
  });

  it('drops pending paths on close and ignores later changes', async () => {
    const batcher = createBatcher(50, (batch) => batches.push(batch));
    batcher.add('/p/a.ts');
    batcher.close();
    expect(batcher.pendingCount).toBe(0);
    batcher.add('/p/b.ts');
    await advance(1000);
    expect(batches).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createBatcher: takePending', () => {
  it('hands over the waiting paths and cancels their flush', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batches: string[][] = [];
    const batcher = createBatcher(100, (batch) => batches.push(batch.paths));
    batcher.add('/p/a.ts');
    batcher.add('/p/b.ts');
    expect(batcher.takePending()).toEqual(['/p/a.ts', '/p/b.ts']);
    await advance(500);
    expect(batches).toEqual([]);
    expect(batcher.pendingCount).toBe(0);
    vi.useRealTimers();
  });
});

describe('createBatcher: bursts', () => {
  it('waits the short delay for one file and the longer burst quiet for several', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batches: string[][] = [];
    const batcher = createBatcher(50, (batch) => batches.push(batch.paths), { burstQuietMs: 250 });
    batcher.add('/p/one.ts');
    await advance(50);
    expect(batches).toEqual([['/p/one.ts']]);
    batcher.add('/p/a.ts');
    batcher.add('/p/b.ts');
    await advance(200); // a gap that would split a burst under a 50 ms delay
    batcher.add('/p/c.ts');
    await advance(249);
    expect(batches).toHaveLength(1);
    await advance(1);
    expect(batches[1]).toEqual(['/p/a.ts', '/p/b.ts', '/p/c.ts']);
    vi.useRealTimers();
  });

  it('never waits less than the configured delay', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batches: string[][] = [];
    const batcher = createBatcher(400, (batch) => batches.push(batch.paths), { burstQuietMs: 250 });
    batcher.add('/p/a.ts');
    batcher.add('/p/b.ts');
    await advance(399);
    expect(batches).toEqual([]);
    await advance(1);
    expect(batches).toHaveLength(1);
    vi.useRealTimers();
  });
});

describe('createBatcher: maximum wait', () => {
  it('delivers a batch after the maximum wait even while changes keep coming', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batches: string[][] = [];
    const batcher = createBatcher(100, (batch) => batches.push(batch.paths), { burstQuietMs: 0, maxWaitMs: 2000 });
    // A file touched every 50 ms never leaves 100 ms of quiet.
    for (let elapsed = 0; elapsed < 1950; elapsed += 50) {
      batcher.add('/p/log.txt');
      await advance(50);
    }
    expect(batches).toEqual([]);
    batcher.add('/p/log.txt');
    await advance(50);
    expect(batches).toEqual([['/p/log.txt']]);
    // The next batch starts its own maximum wait with its first change.
    for (let elapsed = 0; elapsed < 1950; elapsed += 50) {
      batcher.add('/p/log.txt');
      await advance(50);
    }
    expect(batches).toHaveLength(1);
    await advance(50);
    expect(batches).toHaveLength(2);
    batcher.close();
    vi.useRealTimers();
  });

  it('is ten times the delay, and never under two seconds', async () => {
    expect(maxWaitFor(50)).toBe(2000);
    expect(maxWaitFor(500)).toBe(5000);
  });

  it('leaves no timer behind after a delivery, a hand-over or close', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batcher = createBatcher(100, () => {}, { burstQuietMs: 0, maxWaitMs: 2000 });
    batcher.add('/p/a.ts');
    await advance(100);
    expect(vi.getTimerCount()).toBe(0);
    batcher.add('/p/a.ts');
    batcher.takePending();
    expect(vi.getTimerCount()).toBe(0);
    batcher.add('/p/a.ts');
    batcher.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });
});

describe('createBatcher: pending', () => {
  it('says when it starts holding changes, and that it no longer does only after the batch is delivered', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const seen: string[] = [];
    const batcher = createBatcher(10, (batch) => seen.push(`batch ${batch.paths.join(',')}`), { onPending: (pending) => seen.push(`pending ${pending}`) });
    batcher.add('/p/a.ts');
    batcher.add('/p/b.ts');
    expect(seen).toEqual(['pending true']);
    await advance(250);
    expect(seen).toEqual(['pending true', 'batch /p/a.ts,/p/b.ts', 'pending false']);
    vi.useRealTimers();
  });

  it('is no longer pending once its changes are handed over or dropped', async () => {
    const seen: boolean[] = [];
    const batcher = createBatcher(10, () => {}, { onPending: (pending) => seen.push(pending) });
    batcher.add('/p/a.ts');
    batcher.takePending();
    batcher.add('/p/b.ts');
    batcher.close();
    batcher.close();
    expect(seen).toEqual([true, false, true, false]);
  });
});

describe('createBatcher: a saved file and a new one', () => {
  it('delivers a changed file after the short delay, and waits longer for a new or deleted file', async () => {
    vi.useFakeTimers(CLOCK_ONLY);
    const batches: string[][] = [];
    const batcher = createBatcher(10, (batch) => batches.push(batch.paths));
    batcher.add('/p/saved.ts', 'change');
    await advance(10);
    expect(batches).toEqual([['/p/saved.ts']]);
    batcher.add('/p/new.ts', 'add');
    await advance(NEW_FILE_SETTLE_MS - 1);
    expect(batches).toHaveLength(1);
    await advance(1);
    expect(batches[1]).toEqual(['/p/new.ts']);
    batcher.add('/p/gone.ts', 'unlink');
    await advance(10);
    expect(batches).toHaveLength(2);
    vi.useRealTimers();
  });
});

describe('createBatcher: raw events stir the batch', () => {
  beforeEach(() => vi.useFakeTimers(CLOCK_ONLY));
  afterEach(() => vi.useRealTimers());

  it('makes one pending file a burst when another file stirs, before the watcher reports it', async () => {
    const batches: string[][] = [];
    const batcher = createBatcher(10, (batch) => batches.push(batch.paths), { burstQuietMs: 250 });
    batcher.stir('/p/a.json');
    batcher.stir('/p/b.json');
    batcher.add('/p/a.json');
    await advance(200);
    expect(batches).toEqual([]);
    batcher.add('/p/b.json');
    await advance(250);
    expect(batches).toEqual([['/p/a.json', '/p/b.json']]);
  });

  it('keeps a saved file quick when only that file stirs, and forgets stirs older than the burst quiet', async () => {
    const batches: string[][] = [];
    const batcher = createBatcher(10, (batch) => batches.push(batch.paths), { burstQuietMs: 250 });
    batcher.stir('/p/old.json');
    await advance(251);
    batcher.stir('/p/a.ts');
    batcher.add('/p/a.ts');
    await advance(10);
    expect(batches).toEqual([['/p/a.ts']]);
  });

  it('holds a due batch when a stir arrives before pending I/O was looked at (hot ran late)', async () => {
    const batches: string[][] = [];
    const batcher = createBatcher(10, (batch) => batches.push(batch.paths));
    batcher.add('/p/a.ts');
    vi.advanceTimersByTime(10);
    // The poll phase between the due timer and the delivery brings a raw event.
    batcher.stir('/p/a.ts');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([]);
    await advance(10);
    expect(batches).toEqual([['/p/a.ts']]);
  });
});
