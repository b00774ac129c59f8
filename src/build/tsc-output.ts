import path from 'node:path';
import type { TypeDiagnostic } from '../events.js';

/**
 * Reading `tsc --watch --pretty false` (TypeScript 5 and 7 print the same lines):
 *
 *   10:53:56 PM - File change detected. Starting incremental compilation...
 *   src/a.ts(13,28): error TS2322: Type 'number' is not assignable to type 'string'.
 *     Try `npm i --save-dev @types/express` …          (a follow-up line of the error above)
 *   error TS5083: Cannot read file '/x/tsconfig.json'.   (an error about the project, no file)
 *   10:53:56 PM - Found 1 error. Watching for file changes.
 *
 * The time in front is the user's locale: only the words after it are matched. Pure: no I/O.
 */

/** What one line of tsc's output says. */
export type TscLine =
  | { kind: 'compiling' }
  | { kind: 'diagnostic'; diagnostic: TypeDiagnostic }
  | { kind: 'more'; text: string }
  | { kind: 'found'; errors: number }
  | { kind: 'other' };

const AT_FILE = /^(.+?)\((\d+),(\d+)\): (?:error|warning) (TS\d+): (.*)$/;
const GLOBAL = /^(?:error|warning) (TS\d+): (.*)$/;
const FOUND = /(?:^|\s)Found (\d+) errors?\b/;
const COMPILING = /Starting (?:compilation in watch mode|incremental compilation)|File change detected/;

/** One line; `cwd` is where tsc ran: its paths are relative to it. */
export function parseTscLine(line: string, cwd: string): TscLine {
  const text = line.replace(/\r$/, '').replace(/\u001b\[[0-9;]*m/g, '');
  const atFile = AT_FILE.exec(text);
  if (atFile) {
    const [, file, lineNumber, column, code, message] = atFile;
    return { kind: 'diagnostic', diagnostic: { file: path.resolve(cwd, file!), line: Number(lineNumber), column: Number(column), code: code!, message: message! } };
  }
  const global = GLOBAL.exec(text);
  if (global) return { kind: 'diagnostic', diagnostic: { file: null, line: 0, column: 0, code: global[1]!, message: global[2]! } };
  if (/^\s+\S/.test(text)) return { kind: 'more', text: text.trim() };
  const found = FOUND.exec(text);
  if (found && /Watching for file changes/.test(text)) return { kind: 'found', errors: Number(found[1]) };
  if (COMPILING.test(text)) return { kind: 'compiling' };
  return { kind: 'other' };
}

/** What the reader makes of the lines so far: a compilation began, or one ended with these errors. */
export type TscProgress = { type: 'compiling' } | { type: 'pass'; diagnostics: TypeDiagnostic[] };

/**
 * Collects the diagnostics of one compilation until its `Found N errors` line. A compilation whose
 * start line tsc did not print (or that a reader joined late) starts at its first line.
 */
export class TscOutputReader {
  readonly #cwd: string;
  #diagnostics: TypeDiagnostic[] = [];
  #inPass = false;

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  feed(line: string): TscProgress | null {
    const parsed = parseTscLine(line, this.#cwd);
    switch (parsed.kind) {
      case 'compiling':
        this.#diagnostics = [];
        return this.#begin();
      case 'diagnostic': {
        const began = this.#begin();
        this.#diagnostics.push(parsed.diagnostic);
        return began;
      }
      case 'more': {
        const last = this.#diagnostics.at(-1);
        if (last) last.message = `${last.message}\n${parsed.text}`;
        return null;
      }
      case 'found': {
        const diagnostics = this.#diagnostics;
        this.#diagnostics = [];
        this.#inPass = false;
        return { type: 'pass', diagnostics };
      }
      case 'other':
        return null;
    }
  }

  #begin(): TscProgress | null {
    if (this.#inPass) return null;
    this.#inPass = true;
    return { type: 'compiling' };
  }
}

/** The same errors as before (tsc repeats them on every pass): nothing new to say. */
export function sameDiagnostics(a: readonly TypeDiagnostic[], b: readonly TypeDiagnostic[]): boolean {
  if (a.length !== b.length) return false;
  const key = (d: TypeDiagnostic): string => `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.message}`;
  const seen = new Set(a.map(key));
  return b.every((d) => seen.has(key(d)));
}
