import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChildHandle } from '../../../src/supervise/child.js';
import { groupState } from '../../../src/supervise/kill-tree.js';
import { startWatchdog, watchedSpawn } from '../../../src/supervise/watchdog.js';
import { createLogger, type Logger } from '../../../src/ui/logger.js';

function collectingLogger(): { logger: Logger; lines: string[]; nextLine: () => Promise<string> } {
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  const logger = createLogger({
    level: 'debug',
    color: false,
    write: (text) => {
      lines.push(text);
      waiting.shift()?.(text);
    },
  });
  return { logger, lines, nextLine: () => new Promise((resolve) => waiting.push(resolve)) };
}

/** A process leading its own group, idle until killed. */
async function startGroup(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("ready")'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout!, 'data');
  return child;
}

/** process.kill as it fails for a group of another user's processes (hot not root, the program under sudo). */
function denySignalsTo(pgid: number): void {
  const real = process.kill.bind(process);
  vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
    if (pid === -pgid) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM', errno: -1, syscall: 'kill' });
    return real(pid, signal);
  });
}

const started: ChildProcess[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
  }
});

describe('startWatchdog', () => {
  it('says once that it could not start, and hot goes on without it', async () => {
    const { logger, lines, nextLine } = collectingLogger();
    const warned = nextLine();
    const watchdog = startWatchdog(logger, '/nonexistent/sh');
    expect(await warned).toMatch(/the watchdog stopped working .*if hot is killed outright, the programs it started keep running/);
    watchdog.track(123);
    watchdog.untrack(123);
    watchdog.close();
    expect(lines).toHaveLength(1);
  });
});

describe.skipIf(process.platform !== 'linux')('a process group hot may not signal', () => {
  it('is told apart from a gone one', async () => {
    const child = await startGroup();
    started.push(child);
    expect(groupState(child.pid!)).toBe('alive');
    denySignalsTo(child.pid!);
    expect(groupState(child.pid!)).toBe('denied');
    vi.restoreAllMocks();
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(groupState(child.pid!)).toBe('gone');
  });

  it('is reported once, naming the pid, when hot stops or kills it', async () => {
    const child = await startGroup();
    started.push(child);
    const { logger, lines } = collectingLogger();
    const watchdog = startWatchdog(logger);
    const handle = { pid: child.pid!, stop: async () => ({ forced: false }), kill: () => {} } as unknown as ChildHandle;
    const spawnWatched = watchedSpawn(() => handle, watchdog);
    const program = spawnWatched({ command: { kind: 'argv', argv: ['app'] }, cwd: '/', env: {} });
    denySignalsTo(child.pid!);
    await program.stop('SIGTERM', 1000);
    program.kill();
    await program.stop('SIGTERM', 1000);
    watchdog.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`[hot] pid ${child.pid} (`);
    expect(lines[0]).toContain('hot is not allowed to signal it (it runs as another user, e.g. through sudo): hot cannot stop it');
    expect(lines[0]).toMatch(/hint: .*sudo kill/);
  });
});
