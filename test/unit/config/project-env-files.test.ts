import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envFilesOfScript, findProjectEnvFiles } from '../../../src/config/project-env-files.js';

describe('envFilesOfScript', () => {
  it.each([
    ['node --env-file=.env.local src/server.js', ['.env.local']],
    ['node --env-file .env.dev --watch src/server.js', ['.env.dev']],
    ['tsx --env-file=.env --env-file-if-exists=.env.local src/main.ts', ['.env', '.env.local']],
    ['node --env-file=".env local" a.js', ['.env local']],
    ['node --env-file=$ENV_FILE a.js', []],
    ['node src/server.js', []],
    ['nodemon --exec "node --env-file=.env a.js"', []],
  ])('%s', (script, files) => {
    expect(envFilesOfScript(script)).toEqual(files);
  });
});

describe('findProjectEnvFiles', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-env-files-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  }

  it('finds .env in the root, then the files the dev script names, once each, only those that exist', () => {
    const dir = project({
      '.env': 'A=1\n',
      '.env.dev': 'B=2\n',
      'package.json': JSON.stringify({ scripts: { dev: 'node --env-file=.env --env-file .env.dev --env-file=.env.missing a.js', start: 'node --env-file=.env.prod a.js' } }),
      '.env.prod': 'C=3\n',
    });
    expect(findProjectEnvFiles(dir)).toEqual([path.join(dir, '.env'), path.join(dir, '.env.dev')]);
  });

  it('reads the start script when there is no dev script', () => {
    const dir = project({ '.env.prod': 'C=3\n', 'package.json': JSON.stringify({ scripts: { start: 'node --env-file=.env.prod a.js' } }) });
    expect(findProjectEnvFiles(dir)).toEqual([path.join(dir, '.env.prod')]);
  });

  it('finds nothing without a .env, and ignores a broken package.json or a .env directory', () => {
    const dir = project({ 'package.json': '{ "scripts": ' });
    mkdirSync(path.join(dir, '.env'));
    expect(findProjectEnvFiles(dir)).toEqual([]);
  });
});
