import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpawnError } from '../../../src/errors.js';
import { buildChildEnv } from '../../../src/supervise/env.js';

describe('buildChildEnv', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-env-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const envFile = (name: string, content: string | Buffer): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  async function errorOf(envFiles: string[], env: Record<string, string> = {}): Promise<SpawnError> {
    const error: unknown = await buildChildEnv({ envFiles, env }, {}).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof SpawnError)) throw new Error(`expected a SpawnError, got ${String(error)}`);
    return error;
  }

  it('layers env files < base env < run env', async () => {
    const first = envFile('.env', 'ONLY_FILE=1\nFILES=first\nBASE=file\nRUN=file\n');
    const second = envFile('.env.local', 'FILES=second\n');
    const env = await buildChildEnv({ envFiles: [first, second], env: { RUN: 'run' } }, { BASE: 'base', RUN: 'base', PATH: '/bin' });
    expect(env).toEqual({ ONLY_FILE: '1', FILES: 'second', BASE: 'base', RUN: 'run', PATH: '/bin' });
  });

  it('parses dotenv syntax: quotes, comments and blank lines', async () => {
    const file = envFile('.env', '# comment\n\nGREETING="hello world"\nSINGLE=\'a b\'\n');
    expect(await buildChildEnv({ envFiles: [file], env: {} }, {})).toEqual({ GREETING: 'hello world', SINGLE: 'a b' });
  });

  it('reports a missing file through onMissing and carries on', async () => {
    const missing = path.join(dir, 'nope.env');
    const present = envFile('.env', 'A=1\n');
    const reports: Array<[string, string]> = [];
    const env = await buildChildEnv({ envFiles: [missing, present], env: {}, onMissing: (file, reason) => reports.push([file, reason]) }, {});
    expect(reports).toEqual([[missing, 'ENOENT']]);
    expect(env).toEqual({ A: '1' });
  });

  it('re-reads the files on every call', async () => {
    const file = envFile('.env', 'A=1\n');
    expect((await buildChildEnv({ envFiles: [file], env: {} }, {})).A).toBe('1');
    writeFileSync(file, 'A=2\n');
    expect((await buildChildEnv({ envFiles: [file], env: {} }, {})).A).toBe('2');
  });

  it('drops the UTF-8 byte order mark Notepad writes', async () => {
    const file = envFile('.env', '\uFEFFA=1\n');
    expect(await buildChildEnv({ envFiles: [file], env: {} }, {})).toEqual({ A: '1' });
  });

  it('says a UTF-16 file (as PowerShell writes it) must be saved as UTF-8', async () => {
    const withBom = envFile('.env', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('A=1\r\nB=2\r\n', 'utf16le')]));
    const error = await errorOf([withBom]);
    expect(error.message).toBe(`${withBom} looks like UTF-16: save it as UTF-8`);
    expect(error.hint).toMatch(/Out-File -Encoding utf8/);
    const withoutBom = envFile('.env.local', Buffer.from('A=1\n', 'utf16le'));
    expect((await errorOf([withoutBom])).message).toMatch(/looks like UTF-16: save it as UTF-8$/);
  });

  it('names the file, line and variable holding a NUL character', async () => {
    const file = envFile('.env', 'A=1\nTOKEN=ab\0cd\n');
    const error = await errorOf([file]);
    expect(error.message).toBe(`${file}:2: TOKEN must not contain a NUL character (no program can receive one in its environment)`);
    expect(error.hint).toBeDefined();
  });

  it('rejects a NUL character in run.env, which only the API can pass', async () => {
    expect((await errorOf([], { TOKEN: 'a\0b' })).message).toMatch(/^run\.env "TOKEN" must not contain a NUL character/);
  });

  it('skips what is not a regular file, and never blocks on a named pipe nobody writes to', async () => {
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    const reports: string[] = [];
    const env = await buildChildEnv({ envFiles: [fifo, dir], env: {}, pipeTimeoutMs: 200, onMissing: (_file, reason) => reports.push(reason) }, {});
    expect(env).toEqual({});
    expect(reports).toEqual(['a named pipe that did not deliver its content within 200 ms', 'a directory']);
  });

  it('reads a named pipe through the event loop (as 1Password mounts .env)', async () => {
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    // The writer's open waits for a reader, as 1Password's does.
    const writer = spawn('sh', ['-c', `printf 'SECRET=from-pipe\\n' > "${fifo}"`], { stdio: 'ignore' });
    const env = await buildChildEnv({ envFiles: [fifo], env: {} }, {});
    expect(env).toEqual({ SECRET: 'from-pipe' });
    writer.kill();
  });

  it('stops waiting for a named pipe when asked to, without a warning about the file', async () => {
    const fifo = path.join(dir, '.env');
    execFileSync('mkfifo', [fifo]);
    const abort = new AbortController();
    const reports: string[] = [];
    const pending = buildChildEnv({ envFiles: [fifo], env: {}, signal: abort.signal, onMissing: (_file, reason) => reports.push(reason) }, {});
    abort.abort();
    expect(await pending).toEqual({});
    expect(reports).toEqual([]);
  });
});
