import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decoratorMetadataSource } from '../../../src/config/decorator-metadata.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hot-decorators-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('decoratorMetadataSource', () => {
  it('names the tsconfig that turns emitDecoratorMetadata on (NestJS writes it with comments)', () => {
    const dir = project({ 'tsconfig.json': '{\n  // Nest\n  "compilerOptions": { "emitDecoratorMetadata": true, "experimentalDecorators": true }\n}\n' });
    expect(decoratorMetadataSource(dir)).toBe(path.join(dir, 'tsconfig.json'));
  });

  it('follows a relative extends, and the nearest setting wins', () => {
    const base = { 'tsconfig.base.json': '{ "compilerOptions": { "emitDecoratorMetadata": true } }' };
    expect(decoratorMetadataSource(project({ ...base, 'tsconfig.json': '{ "extends": "./tsconfig.base.json" }' }))).toMatch(/tsconfig\.base\.json$/);
    expect(decoratorMetadataSource(project({ ...base, 'tsconfig.json': '{ "extends": "./tsconfig.base", "compilerOptions": { "emitDecoratorMetadata": false } }' }))).toBeNull();
  });

  it('is null without a tsconfig, with the setting off, or only in a comment', () => {
    expect(decoratorMetadataSource(project({}))).toBeNull();
    expect(decoratorMetadataSource(project({ 'tsconfig.json': '{ "compilerOptions": { "strict": true } }' }))).toBeNull();
    expect(decoratorMetadataSource(project({ 'tsconfig.json': '{ "compilerOptions": { /* "emitDecoratorMetadata": true */ "strict": true } }' }))).toBeNull();
  });
});
