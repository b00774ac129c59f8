import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `file` as a new file beside it, renamed over it. A symbolic link someone planted at `file`
 * is replaced, never written through (writing in place would overwrite whatever it points to), and
 * a program starting meanwhile reads the old bundle or the new one, never half of one.
 */
export function replaceFile(file: string, contents: Uint8Array, mode: number): void {
  // Ends in .tmp: the watcher's default excludes leave it alone.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  // wx is O_CREAT | O_EXCL: anything already there, a link included, fails rather than being followed.
  const fd = openSync(temp, 'wx', mode);
  try {
    try {
      for (let written = 0; written < contents.byteLength; ) written += writeSync(fd, contents, written);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
