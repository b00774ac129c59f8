import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLookAgain } from '../../../src/watch/look-again.js';
import { TreeIndex } from '../../../src/watch/tree-index.js';

/** The second look after a delivery, on a real directory walked by a real index; only its timers are faked. */
describe('createLookAgain', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.useRealTimers();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('takes no link the walk chose not to follow for a new directory, and finds a real one', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'hot-look-again-'));
    dirs.push(root);
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'a.ts'), 'export {};\n');
    // A link back up its own tree, and a second link to a directory walked already: never walked.
    symlinkSync('.', path.join(root, 'loop'));
    symlinkSync('src', path.join(root, 'src-again'));
    const index = new TreeIndex(() => false);
    await index.scan(root);
    const appeared: string[] = [];
    const reported: string[] = [];
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const look = createLookAgain({
      index: () => index,
      since: () => 0,
      isIgnored: () => false,
      report: (kind, file) => reported.push(`${kind} ${path.relative(root, file)}`),
      isReported: () => true,
      onDirectory: (dir) => appeared.push(path.relative(root, dir)),
    });
    mkdirSync(path.join(root, 'made-since'));
    look.after([root], Date.now());
    vi.advanceTimersByTime(1000);
    look.close();
    // Looked at twice (150 and 500 ms after); the real watcher walks it at the first.
    expect([...new Set(appeared)]).toEqual(['made-since']);
    expect(reported).toEqual([]);
  });
});
