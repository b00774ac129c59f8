import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../../src/supervise/env.js';

describe('buildChildEnv', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-env-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const envFile = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('layers env files < base env < run env < hot variables', () => {
    const first = envFile('.env', 'ONLY_FILE=1\nFILES=first\nBASE=file\nRUN=file\nHOT=file\n');
    const second = envFile('.env.local', 'FILES=second\n');
    const env = buildChildEnv(
      { envFiles: [first, second], env: { RUN: 'run', HOT: 'run' }, hot: { HOT: '1' } },
      { BASE: 'base', RUN: 'base', PATH: '/bin' },
    );
    expect(env).toEqual({ ONLY_FILE: '1', FILES: 'second', BASE: 'base', RUN: 'run', HOT: '1', PATH: '/bin' });
  });

  it('parses dotenv syntax: quotes, comments and blank lines', () => {
    const file = envFile('.env', '# comment\n\nGREETING="hello world"\nSINGLE=\'a b\'\n');
    expect(buildChildEnv({ envFiles: [file], env: {}, hot: {} }, {})).toEqual({ GREETING: 'hello world', SINGLE: 'a b' });
  });

  it('reports a missing file through onMissing and carries on', () => {
    const missing = path.join(dir, 'nope.env');
    const present = envFile('.env', 'A=1\n');
    const reports: Array<[string, string]> = [];
    const env = buildChildEnv({ envFiles: [missing, present], env: {}, hot: {}, onMissing: (file, reason) => reports.push([file, reason]) }, {});
    expect(reports).toEqual([[missing, 'ENOENT']]);
    expect(env).toEqual({ A: '1' });
  });

  it('re-reads the files on every call', () => {
    const file = envFile('.env', 'A=1\n');
    expect(buildChildEnv({ envFiles: [file], env: {}, hot: {} }, {}).A).toBe('1');
    writeFileSync(file, 'A=2\n');
    expect(buildChildEnv({ envFiles: [file], env: {}, hot: {} }, {}).A).toBe('2');
  });
});
