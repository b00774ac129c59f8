import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenFileIndex, OPEN_FILES_TTL_MS, type OpenFileReaders } from '../../../src/supervise/open-files.js';

/** A group's open files as /proc would show them, a clock and mtimes the test sets, and a count of reads. */
function fakeProc() {
  const open = new Map<number, Array<{ fd: string; path: string; writing: boolean }>>([
    [100, [{ fd: '3', path: '/app/server.log', writing: true }, { fd: '4', path: '/app/data.json', writing: false }]],
    [101, [{ fd: '5', path: '/app/worker.log', writing: true }]],
  ]);
  const mtimes = new Map<string, number>();
  const reads = { members: 0, fds: 0 };
  const state = { now: 10_000, gone: false };
  const readers: OpenFileReaders = {
    now: () => state.now,
    modifiedAt: (file) => mtimes.get(file) ?? 0,
    isGroupGone: () => state.gone,
    members: () => {
      reads.members++;
      return [...open.keys()];
    },
    openFiles: (pid) => {
      reads.fds++;
      return (open.get(pid) ?? []).map(({ fd, path }) => ({ fd, path }));
    },
    isOpenForWriting: (pid, fd, file) => (open.get(pid) ?? []).some((entry) => entry.fd === fd && entry.path === file && entry.writing),
  };
  return { readers, open, mtimes, reads, state };
}

describe('createOpenFileIndex', () => {
  it('answers a burst of changed files from one reading of the group', () => {
    const proc = fakeProc();
    const index = createOpenFileIndex(proc.readers);
    expect(index.isOpenForWritingByGroup(100, '/app/server.log')).toBe(true);
    expect(index.isOpenForWritingByGroup(100, '/app/worker.log')).toBe(true);
    for (let i = 0; i < 100; i++) expect(index.isOpenForWritingByGroup(100, `/app/static/${i}.css`)).toBe(false);
    expect(proc.reads).toEqual({ members: 1, fds: 2 });
  });

  it('does not count a file open for reading only', () => {
    const index = createOpenFileIndex(fakeProc().readers);
    expect(index.isOpenForWritingByGroup(100, '/app/data.json')).toBe(false);
  });

  it('reads the group again after the burst is over', () => {
    const proc = fakeProc();
    const index = createOpenFileIndex(proc.readers);
    index.isOpenForWritingByGroup(100, '/app/a.css');
    proc.state.now += OPEN_FILES_TTL_MS + 1;
    index.isOpenForWritingByGroup(100, '/app/b.css');
    expect(proc.reads).toEqual({ members: 2, fds: 4 });
  });

  it('reads the fds again for a file changed after they were read: its writer may have opened it since', () => {
    const proc = fakeProc();
    const index = createOpenFileIndex(proc.readers);
    expect(index.isOpenForWritingByGroup(100, '/app/a.css')).toBe(false);
    proc.open.get(101)!.push({ fd: '6', path: '/app/new.log', writing: true });
    proc.state.now += 5;
    proc.mtimes.set('/app/new.log', proc.state.now);
    expect(index.isOpenForWritingByGroup(100, '/app/new.log')).toBe(true);
    // The members were still fresh: only their fds were read again.
    expect(proc.reads).toEqual({ members: 1, fds: 4 });
  });

  it('notices an fd that closed since the reading', () => {
    const proc = fakeProc();
    const index = createOpenFileIndex(proc.readers);
    expect(index.isOpenForWritingByGroup(100, '/app/server.log')).toBe(true);
    proc.open.set(100, []);
    expect(index.isOpenForWritingByGroup(100, '/app/server.log')).toBe(false);
  });

  it('reads nothing for a group that is gone', () => {
    const proc = fakeProc();
    proc.state.gone = true;
    expect(createOpenFileIndex(proc.readers).isOpenForWritingByGroup(100, '/app/server.log')).toBe(false);
    expect(proc.reads).toEqual({ members: 0, fds: 0 });
  });
});

describe.skipIf(process.platform !== 'linux')('createOpenFileIndex on /proc', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the file a process of the group holds open for writing, and not one it only read', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-open-files-'));
    const log = path.join(dir, 'app.log');
    const read = path.join(dir, 'input.txt');
    writeFileSync(read, 'x');
    const script = `const fs = require('fs'); fs.openSync(${JSON.stringify(log)}, 'a'); fs.readFileSync(${JSON.stringify(read)}); console.log('ready'); setInterval(() => {}, 1000);`;
    child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    await once(child.stdout!, 'data');
    const index = createOpenFileIndex();
    expect(index.isOpenForWritingByGroup(child.pid!, log)).toBe(true);
    expect(index.isOpenForWritingByGroup(child.pid!, read)).toBe(false);
  });
});
