import { constants, openSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SpawnError } from '../errors.js';

/**
 * How long a named pipe may take to deliver its content and close. 1Password mounts .env as one and
 * asks the user to authorize each read, so a person may be in the loop.
 */
export const PIPE_READ_TIMEOUT_MS = 10_000;

/** More than this from a pipe is not an env file (`yes > .env`). */
const PIPE_MAX_BYTES = 1024 * 1024;

export type EnvFileRead = { ok: true; variables: Record<string, string> } | { ok: false; reason: string };

/**
 * One env file's variables, read without ever blocking hot: a regular file at once, a named pipe
 * through the event loop with a deadline. A file that cannot be read gives the reason (the program
 * starts without it); content no environment can hold (UTF-16, a NUL character) throws a SpawnError
 * naming the file and line: starting without the file would hide the mistake.
 */
export async function readEnvFile(file: string, options: { signal?: AbortSignal; pipeTimeoutMs?: number } = {}): Promise<EnvFileRead> {
  let bytes: Buffer;
  try {
    const stats = statSync(file);
    if (stats.isFIFO()) bytes = await readPipe(file, options.pipeTimeoutMs ?? PIPE_READ_TIMEOUT_MS, options.signal);
    else if (stats.isFile()) bytes = readFileSync(file);
    else return { ok: false, reason: stats.isDirectory() ? 'a directory' : 'not a regular file' };
  } catch (error) {
    return { ok: false, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  return { ok: true, variables: parseEnv(decode(bytes, file)) as Record<string, string> };
}

/** A pipe's whole content, up to its writer closing it; rejects after `timeoutMs` or on `signal`. */
function readPipe(file: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
  // O_NONBLOCK: opening a pipe nobody writes to does not wait; the socket reads it through epoll.
  const pipe = new net.Socket({ fd: openSync(file, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      pipe.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onAbort = (): void => finish(new Error('hot is stopping'));
    const timer = setTimeout(() => finish(new Error(`a named pipe that did not deliver its content within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    pipe.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > PIPE_MAX_BYTES) finish(new Error(`a named pipe that delivered more than ${PIPE_MAX_BYTES} bytes`));
    });
    pipe.once('end', () => finish(null));
    pipe.once('error', (error) => finish(error));
    if (signal?.aborted) onAbort();
  });
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
