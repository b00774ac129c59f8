import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, describeErrno, errnoCode } from '../errors.js';
import { printable } from '../ui/format.js';
import { stripAnsi } from '../ui/report.js';

/**
 * log_file: everything hot writes to its stdout and stderr (its own lines, build output, and the
 * program's output, which then passes through hot) is also written to `file`, without colours.
 * The file is emptied at each start of hot. Writes are synchronous: the file keeps the order of the
 * terminal, and a line written just before hot exits is in it.
 */
export function copyOutputTo(file: string, cwd: string): void {
  let fd: number;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    fd = openSync(file, 'w');
  } catch (error) {
    const code = errnoCode(error);
    throw new ConfigError(`cannot write log_file ${printable(path.relative(cwd, file) || file)}: ${code ? describeErrno(code) : String(error)}`, {
      hint: code === 'EACCES' ? 'choose a file in a directory you can write to' : 'check the path under log_file',
    });
  }
  let broken = false;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!broken) {
        try {
          const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
          writeSync(fd, stripAnsi(text));
        } catch {
          // A full disk, a removed directory: the terminal goes on; the file stops.
          broken = true;
        }
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  process.once('exit', () => closeSync(fd));
}
