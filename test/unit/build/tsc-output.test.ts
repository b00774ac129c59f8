import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTscLine, sameDiagnostics, TscOutputReader, type TscProgress } from '../../../src/build/tsc-output.js';

const CWD = path.resolve('/proj');

/** Real output of `tsc --noEmit --watch --preserveWatchOutput --pretty false` (TypeScript 5.9), two passes. */
const WATCH_OUTPUT = `
10:53:44 PM - Starting compilation in watch mode...

src/routes/users.ts(1,24): error TS7016: Could not find a declaration file for module 'express'. '/x/node_modules/express/index.js' implicitly has an 'any' type.
  Try \`npm i --save-dev @types/express\` if it exists or add a new declaration (.d.ts) file containing \`declare module 'express';\`
src/server.ts(8,15): error TS7006: Parameter '_request' implicitly has an 'any' type.

10:53:54 PM - Found 2 errors. Watching for file changes.

10:54:02 PM - File change detected. Starting incremental compilation...

10:54:02 PM - Found 0 errors. Watching for file changes.
`;

function readAll(text: string): TscProgress[] {
  const reader = new TscOutputReader(CWD);
  return text.split('\n').flatMap((line) => reader.feed(line) ?? []);
}

describe('parseTscLine', () => {
  it.each([
    ['an error at a place, path made absolute', "src/a.ts(13,28): error TS2322: Type 'number' is not assignable to type 'string'.", { kind: 'diagnostic', diagnostic: { file: path.join(CWD, 'src/a.ts'), line: 13, column: 28, code: 'TS2322', message: "Type 'number' is not assignable to type 'string'." } }],
    ['a path with parentheses', 'src/(group)/a b.ts(1,2): error TS1005: \';\' expected.', { kind: 'diagnostic', diagnostic: { file: path.join(CWD, 'src/(group)/a b.ts'), line: 1, column: 2, code: 'TS1005', message: "';' expected." } }],
    ['an error about the project', "error TS5083: Cannot read file '/proj/tsconfig.json'.", { kind: 'diagnostic', diagnostic: { file: null, line: 0, column: 0, code: 'TS5083', message: "Cannot read file '/proj/tsconfig.json'." } }],
    ['a follow-up line', '  Type \'string\' is not assignable to type \'number\'.', { kind: 'more', text: "Type 'string' is not assignable to type 'number'." }],
    ['the end of a pass (one error)', '10:53:54 PM - Found 1 error. Watching for file changes.', { kind: 'found', errors: 1 }],
    ['the end of a pass (24-hour clock)', '[22:53:54] Found 12 errors. Watching for file changes.', { kind: 'found', errors: 12 }],
    ['the first compilation', '10:53:44 PM - Starting compilation in watch mode...', { kind: 'compiling' }],
    ['a later one', '10:54:02 PM - File change detected. Starting incremental compilation...', { kind: 'compiling' }],
    ['a blank line', '', { kind: 'other' }],
    ['colour codes around an error', "\u001b[96msrc/a.ts\u001b[0m(1,1): error TS1: x", { kind: 'diagnostic', diagnostic: { file: path.join(CWD, 'src/a.ts'), line: 1, column: 1, code: 'TS1', message: 'x' } }],
  ])('%s', (_what, line, expected) => {
    expect(parseTscLine(line, CWD)).toEqual(expected);
  });
});

describe('TscOutputReader', () => {
  it('gives each pass its errors, follow-up lines joined to theirs', () => {
    const progress = readAll(WATCH_OUTPUT);
    expect(progress.map((p) => p.type)).toEqual(['compiling', 'pass', 'compiling', 'pass']);
    const first = progress[1] as Extract<TscProgress, { type: 'pass' }>;
    expect(first.diagnostics.map((d) => `${path.relative(CWD, d.file!)}:${d.line}:${d.column} ${d.code}`)).toEqual(['src/routes/users.ts:1:24 TS7016', 'src/server.ts:8:15 TS7006']);
    expect(first.diagnostics[0]!.message.split('\n')).toHaveLength(2);
    expect(progress[3]).toEqual({ type: 'pass', diagnostics: [] });
  });

  it('starts a pass at its first error when tsc printed no start line', () => {
    const progress = readAll("src/a.ts(1,1): error TS1005: ';' expected.\n[22:00:00] Found 1 error. Watching for file changes.\n");
    expect(progress.map((p) => p.type)).toEqual(['compiling', 'pass']);
  });
});

describe('sameDiagnostics', () => {
  const error = { file: '/proj/a.ts', line: 1, column: 2, code: 'TS2322', message: 'x' };
  it('is true for the same errors in another order, false when one moved', () => {
    const other = { ...error, line: 5 };
    expect(sameDiagnostics([error, other], [other, error])).toBe(true);
    expect(sameDiagnostics([error], [{ ...error, column: 3 }])).toBe(false);
    expect(sameDiagnostics([error], [])).toBe(false);
  });
});
