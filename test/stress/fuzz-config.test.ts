import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { FILE_SETTINGS } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/project.js';

/** A small seeded generator, so a failing case can be replayed from its number. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const VALUES = ['0', '-1', '1e309', '99999999999999999999', '"fast"', '""', '"2s"', 'true', '[]', '[1, "a"]', '{ a = 1 }', '"💥 ünïcode/路径"', '"../../.."', '"SIGTERM"', '"a".repeat', '1979-05-27T07:32:00Z', '"' + 'x'.repeat(10_000) + '"'];
const NOISE = ['[', ']', '=', '"', "'", '{', '}', ',', '\n', '#', '.', '\\', '\u0000', 'ü', '[[x]]', ' = = '];

function mutate(source: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  let text = source;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (text.length + 1));
    switch (Math.floor(next() * 4)) {
      case 0:
        text = text.slice(0, at) + pick(NOISE) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 20));
        break;
      case 2: {
        const setting = pick(FILE_SETTINGS);
        const [table, ...rest] = setting.key.split('.');
        const line = rest.length > 0 ? `\n[${table}]\n${rest.join('.')} = ${pick(VALUES)}\n` : `${setting.key} = ${pick(VALUES)}\n`;
        text = rest.length > 0 ? text + line : line + text;
        break;
      }
      default:
        text = text.split('\n').sort(() => next() - 0.5).join('\n');
    }
  }
  return text;
}

it('only ever returns a config or a ConfigError, for 20,000 random and mutated files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-fuzz-'));
  const file = path.join(dir, '.hotrc.toml');
  writeFileSync(path.join(dir, 'server.ts'), '');
  const example = readFileSync(path.join(REPO_ROOT, '.hotrc.toml.example'), 'utf8').replace('src/server.ts', 'server.ts');
  const counts = { valid: 0, configErrors: 0 };
  try {
    for (let seed = 1; seed <= 20_000; seed++) {
      const next = random(seed);
      writeFileSync(file, mutate(example, next));
      try {
        loadConfig({ cwd: dir, overrides: {} });
        counts.valid++;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`seed ${seed}: ${(error as Error).stack}\n--- file ---\n${readFileSync(file, 'utf8')}`);
        expect(error.message.length).toBeGreaterThan(0);
        counts.configErrors++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fuzz: ${counts.valid} valid configs, ${counts.configErrors} ConfigErrors, 0 other exceptions`);
  expect(counts.valid + counts.configErrors).toBe(20_000);
});
