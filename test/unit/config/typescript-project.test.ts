import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findTypeScriptProject } from '../../../src/config/typescript-project.js';

describe('findTypeScriptProject', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-ts-project-'));
    dirs.push(dir);
    return dir;
  };
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the tsc of a directory above the root, as npx would (a workspace root)', () => {
    const root = tempDir();
    write(path.join(root, 'node_modules/.bin/tsc'), '');
    const pkg = path.join(root, 'packages/api');
    write(path.join(pkg, 'tsconfig.json'), '{}');
    expect(findTypeScriptProject(pkg)).toEqual({ tsc: path.join(root, 'node_modules/.bin/tsc'), hasTsconfig: true, incremental: false });
  });

  it('finds nothing in a project without TypeScript', () => {
    expect(findTypeScriptProject(tempDir())).toMatchObject({ tsc: null, hasTsconfig: false });
  });

  it('sees incremental builds asked for by the tsconfig or one it extends, comments aside', () => {
    const root = tempDir();
    write(path.join(root, 'tsconfig.base.json'), '{ "compilerOptions": { "composite": true } }');
    write(path.join(root, 'tsconfig.json'), '{ "extends": "./tsconfig.base.json", // "incremental": false\n "compilerOptions": {} }');
    expect(findTypeScriptProject(root).incremental).toBe(true);
    write(path.join(root, 'tsconfig.json'), '{ "compilerOptions": { /* "incremental": true */ } }');
    expect(findTypeScriptProject(root).incremental).toBe(false);
  });
});
