import fs, { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureReads, earlyMismatch, keptListenMs, readRecord, recordOf, stampHolds, stampOf, writeRecord, type EarlyProcess, type EarlySpec, type LaunchKey } from '../../src/early-start.js';

const KEY: LaunchKey = { hot: '1-2-3', at: '/projects/app', args: ['app.js'], stdinTTY: true };
const HOT_ENV = { PATH: '/usr/bin', HOME: '/home/me', NODE_OPTIONS: '--max-old-space-size=4096', LEFT_OUT: 'x' };

function spec(overrides: Partial<EarlySpec> = {}): EarlySpec {
  return {
    command: { kind: 'argv', argv: ['/usr/bin/node', '--import=file:///hot/standby.js', 'app.js'] },
    cwd: '/projects/app',
    env: { PATH: '/usr/bin', HOME: '/home/me', NODE_OPTIONS: '--max-old-space-size=4096 --import="/hot/hold.js"', HOT: '1', HOT_GENERATION: '1', PORT: '3000' },
    extraFds: ['ipc', 'pipe'],
    ...overrides,
  };
}

const NO_STAMP = { files: [], env: [] };

describe('recordOf', () => {
  it("keeps what hot sets over its own environment and what it takes away, not hot's own variables", () => {
    const record = recordOf(KEY, spec(), NO_STAMP, HOT_ENV)!;
    expect(record.env).toEqual({ NODE_OPTIONS: '--max-old-space-size=4096 --import="/hot/hold.js"', HOT: '1', HOT_GENERATION: '1', PORT: '3000' });
    expect(record.unset).toEqual(['LEFT_OUT']);
    // What those replace must be as it was: the user's NODE_OPTIONS, and no HOT of hot's own.
    expect(stampHolds(record.stamp, HOT_ENV)).toBe(false); // no file in the stamp: never holds
    const names = record.stamp.env.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['NODE_OPTIONS', 'HOT', 'LEFT_OUT', 'PORT']));
    expect(record).toMatchObject({ ...KEY, argv: ['/usr/bin/node', '--import=file:///hot/standby.js', 'app.js'], cwd: '/projects/app', stdin: 'inherit', extraFds: ['ipc', 'pipe'] });
  });

  it("stamps NODE_OPTIONS where hot leaves it as it is (its preload in the argv): a later --inspect means no early start", () => {
    const record = recordOf(KEY, spec({ env: { ...spec().env, NODE_OPTIONS: HOT_ENV.NODE_OPTIONS } }), NO_STAMP, HOT_ENV)!;
    expect(record.env.NODE_OPTIONS).toBeUndefined();
    const options = record.stamp.env.find(([name]) => name === 'NODE_OPTIONS');
    expect(options).toBeDefined();
    expect(stampOf([], ['NODE_OPTIONS'], { ...HOT_ENV, NODE_OPTIONS: '--inspect-brk' }).env).not.toContainEqual(options);
    expect(stampOf([], ['NODE_OPTIONS'], HOT_ENV).env).toContainEqual(options);
  });

  it.each([
    ['a shell line', { command: { kind: 'shell' as const, line: 'node app.js' } }],
    ['output hot passes on (a log file, --json)', { output: {} }],
    ['captured output', { stdio: 'pipe' as const }],
    ['no IPC channel (nothing would stop it if hot died)', { extraFds: ['pipe'] }],
    ['a socket handed over', { extraFds: ['ipc', {}] }],
    ['the inspector (its port)', { env: { NODE_OPTIONS: '--inspect' } }],
  ])('records nothing for %s', (_, overrides) => {
    expect(recordOf(KEY, spec(overrides as Partial<EarlySpec>), NO_STAMP, HOT_ENV)).toBeNull();
  });
});

describe('earlyMismatch', () => {
  const record = recordOf(KEY, spec(), NO_STAMP, HOT_ENV)!;
  const started = (env: NodeJS.ProcessEnv): EarlyProcess => ({ env }) as EarlyProcess;

  it('takes the early process only when it was started exactly as hot would start the program', () => {
    expect(earlyMismatch(started(spec().env), record, spec())).toBeNull();
    expect(earlyMismatch(started({ ...spec().env, PORT: '4000' }), record, spec())).toBe('PORT differs');
    expect(earlyMismatch(started({ ...spec().env, EXTRA: '1' }), record, spec())).toBe('EXTRA differs');
    expect(earlyMismatch(started(spec().env), record, spec({ command: { kind: 'argv', argv: ['/usr/bin/node', 'app.js'] } }))).toBe('the command differs');
    expect(earlyMismatch(started(spec().env), record, spec({ cwd: '/projects' }))).toBe('the directory differs');
    expect(earlyMismatch(started(spec().env), record, spec({ stdin: 'ignore' }))).toBe('stdin differs');
    expect(earlyMismatch(started(spec().env), record, spec({ extraFds: ['ipc'] }))).toBe('the file descriptors differ');
    expect(earlyMismatch(started(spec().env), record, spec({ output: {} }))).toBe('the output goes elsewhere');
  });
});

describe('stamps and captured reads', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-early-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('notes the paths looked at and the variables read while capturing, and nothing after', () => {
    writeFileSync(path.join(dir, 'package.json'), '{}');
    const readFileSync = fs.readFileSync;
    const env = process.env;
    const capture = captureReads();
    fs.readFileSync(path.join(dir, 'package.json'));
    fs.existsSync(path.join(dir, '.hotrc.toml'));
    void process.env.HOT_EARLY_TEST_VARIABLE;
    const reads = capture.stop();
    fs.existsSync(path.join(dir, 'after'));
    expect(Object.fromEntries(reads.paths)).toEqual({ [path.join(dir, '.hotrc.toml')]: 'exists', [path.join(dir, 'package.json')]: 'content' });
    expect([...reads.variables]).toContain('HOT_EARLY_TEST_VARIABLE');
    expect(fs.readFileSync).toBe(readFileSync);
    expect(process.env).toBe(env);
  });

  it('notes a write to the environment during the capture without refusing it', () => {
    process.env.HOT_EARLY_TEST_WRITE = 'one';
    const capture = captureReads();
    try {
      process.env.HOT_EARLY_TEST_WRITE = 'two';
      Object.assign(process.env, { HOT_EARLY_TEST_WRITE: 'three' });
      delete process.env.HOT_EARLY_TEST_WRITE;
    } finally {
      capture.stop();
    }
    expect(process.env.HOT_EARLY_TEST_WRITE).toBeUndefined();
  });

  it('keeps no value of a variable, only what tells one from another; a path it cannot read does not throw', () => {
    const loop = path.join(dir, 'loop');
    symlinkSync(loop, loop);
    const stamp = stampOf([loop, path.join(dir, 'x')], ['SECRET'], { SECRET: 'hunter2' });
    expect(JSON.stringify(stamp)).not.toContain('hunter2');
    expect(stamp.files[0]![1]).toBe('e:ELOOP');
    expect(stampHolds(stamp, { SECRET: 'hunter2' })).toBe(true);
    expect(stampHolds(stamp, { SECRET: 'hunter3' })).toBe(false);
  });

  it('reads only a record of its own that nobody else may write', () => {
    const file = path.join(dir, 'launch', 'record.json');
    const record = recordOf(KEY, spec(), stampOf([dir], []), HOT_ENV)!;
    writeRecord(file, record);
    expect(readRecord(file, KEY)).toEqual(record);
    expect(readRecord(file, { ...KEY, args: ['other.js'] })).toBeNull();
    chmodSync(file, 0o666);
    expect(readRecord(file, KEY)).toBeNull();
    chmodSync(file, 0o600);
    symlinkSync(file, path.join(dir, 'launch', 'link.json'));
    expect(readRecord(path.join(dir, 'launch', 'link.json'), KEY)).toBeNull();
    writeFileSync(file, JSON.stringify({ ...record, extraFds: ['ipc', 7] }));
    expect(readRecord(file, KEY)).toBeNull();
    writeFileSync(file, JSON.stringify({ ...record, listenMs: 54 }));
    expect(readRecord(file, KEY)).toEqual({ ...record, listenMs: 54 });
    for (const listenMs of [-1, '54', null]) {
      writeFileSync(file, JSON.stringify({ ...record, listenMs }));
      expect(readRecord(file, KEY)).toBeNull();
    }
    const stopping = recordOf(KEY, spec(), stampOf([dir], []), HOT_ENV, [], {}, { signal: 'SIGINT', afterMs: 5000 })!;
    writeFileSync(file, JSON.stringify(stopping));
    expect(readRecord(file, KEY)?.stop).toEqual({ signal: 'SIGINT', afterMs: 5000 });
    for (const stop of [{ signal: 'kill -9', afterMs: 5000 }, { signal: 'SIGFOO', afterMs: 5000 }, { signal: 'SIGINT', afterMs: -1 }, { signal: 'SIGINT' }, 'SIGINT', null]) {
      writeFileSync(file, JSON.stringify({ ...record, stop }));
      expect(readRecord(file, KEY)).toBeNull();
    }
  });

  it("a directory's log files and journals do not count, nor what existence was all that was asked", () => {
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'src', 'app.ts'), '');
    const uses = new Map([
      [path.join(dir, 'src'), 'content' as const],
      [dir, 'exists' as const],
    ]);
    const stamp = stampOf(uses, [], {});
    writeFileSync(path.join(dir, 'dev.db-journal'), '');
    writeFileSync(path.join(dir, 'src', 'server.log'), '');
    expect(stampHolds(stamp, {})).toBe(true);
    writeFileSync(path.join(dir, 'src', 'app.js'), '');
    expect(stampHolds(stamp, {})).toBe(false);
  });

  it('keeps no env file value, and records nothing made from one', () => {
    const envFile = path.join(dir, '.env');
    writeFileSync(envFile, 'TOKEN=secret-value\nPORT=4000\n');
    const fromFile = spec({ env: { ...spec().env, TOKEN: 'secret-value', PORT: '4000' } });
    const record = recordOf(KEY, fromFile, NO_STAMP, HOT_ENV, [envFile])!;
    expect(JSON.stringify(record)).not.toContain('secret-value');
    expect(record.envFiles).toEqual([envFile]);
    // [run] env over the file: the config's value is kept (it is in the config already).
    expect(recordOf(KEY, spec({ env: { ...fromFile.env, PORT: '5000' } }), NO_STAMP, HOT_ENV, [envFile], { PORT: '5000' })!.env.PORT).toBe('5000');
    // A value made from the file's (NODE_OPTIONS with hot's preload), or one the file no longer holds.
    expect(recordOf(KEY, spec({ env: { ...fromFile.env, TOKEN: 'secret-value --import=x' } }), NO_STAMP, HOT_ENV, [envFile])).toBeNull();
  });

  it('holds until a file named is written, created or removed, a directory gains an entry, or a variable changes', () => {
    const file = path.join(dir, 'app.js');
    const missing = path.join(dir, '.hotrc.toml');
    writeFileSync(file, 'one');
    mkdirSync(path.join(dir, 'src'));
    const stamp = stampOf([file, missing, path.join(dir, 'src')], ['HOT_EARLY_TEST_VARIABLE'], {});
    expect(stampHolds(stamp, {})).toBe(true);
    expect(stampHolds(stamp, { HOT_EARLY_TEST_VARIABLE: 'set' })).toBe(false);
    writeFileSync(path.join(dir, 'src', 'new.ts'), '');
    expect(stampHolds(stamp, {})).toBe(false);
    const again = stampOf([file, missing, path.join(dir, 'src')], [], {});
    writeFileSync(missing, '');
    expect(stampHolds(again, {})).toBe(false);
    const third = stampOf([file, missing], [], {});
    writeFileSync(file, 'two');
    expect(stampHolds(third, {})).toBe(false);
  });
});

describe('keptListenMs', () => {
  it('keeps the recorded listen time while a new one stays within a factor 2 of it, so a run rarely writes again', () => {
    expect(keptListenMs(undefined, 54.4)).toBe(54);
    expect(keptListenMs(54, 60)).toBe(54);
    expect(keptListenMs(54, 100)).toBe(54);
    expect(keptListenMs(54, 27)).toBe(54);
    expect(keptListenMs(54, 120.6)).toBe(121);
    expect(keptListenMs(54, 20)).toBe(20);
  });
});
