import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SpawnError } from '../errors.js';

export type EnvFileRead = { ok: true; variables: Record<string, string> } | { ok: false; reason: string };

/**
 * One env file's variables. A file that cannot be read gives the reason (the program starts without
 * it); content no environment can hold (UTF-16, a NUL character) throws a SpawnError naming the file
 * and line: starting without the file would hide the mistake.
 */
export async function readEnvFile(file: string): Promise<EnvFileRead> {
  let bytes: Buffer;
  try {
    const stats = statSync(file);
    // Only a regular file: reading a named pipe would block hot until something writes to it.
    if (stats.isFile()) bytes = readFileSync(file);
    else return { ok: false, reason: stats.isDirectory() ? 'a directory' : 'not a regular file' };
  } catch (error) {
    return { ok: false, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  return { ok: true, variables: parseEnv(decode(bytes, file)) as Record<string, string> };
}

/** The file's text, or a SpawnError for an encoding or a character an environment cannot carry. */
function decode(bytes: Buffer, file: string): string {
  const shown = displayPath(file);
  if (looksLikeUtf16(bytes)) {
    throw new SpawnError(`${shown} looks like UTF-16: save it as UTF-8`, {
      hint: "PowerShell's > and Out-File write UTF-16; use Out-File -Encoding utf8, or save it as UTF-8 in your editor",
    });
  }
  // Notepad's UTF-8 byte order mark would otherwise become part of the first name.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const nul = text.indexOf('\0');
  if (nul === -1) return text;
  const lineStart = text.lastIndexOf('\n', nul) + 1;
  const lineNumber = text.slice(0, lineStart).split('\n').length;
  const name = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(text.slice(lineStart, nul))?.[1];
  throw new SpawnError(`${shown}:${lineNumber}: ${name ?? 'the line'} must not contain a NUL character (no program can receive one in its environment)`, {
    hint: 'remove the NUL character from the file',
  });
}

/** A UTF-16 byte order mark, or ASCII text with a zero in every other byte (UTF-16 without one). */
function looksLikeUtf16(bytes: Buffer): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  let zeros = 0;
  for (const byte of bytes) if (byte === 0) zeros++;
  return bytes.length >= 4 && zeros * 3 >= bytes.length;
}

/** The path as hot's lines show paths: relative to the directory hot was started in, when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
