import { statSync } from 'node:fs';
import path from 'node:path';
import { BuildError, describeErrno, errnoCode } from '../errors.js';

/** What a builder was doing with a file of its own when the system refused. */
export interface DiskOperation {
  /** Words that complete "cannot …" before the path: `write the bundle to`, `read the build output`. */
  doing: string;
  /** Absolute path of the file (or directory) in question. */
  file: string;
  /** The setting that chose that path, named in the hint: `build.outfile`. */
  setting: string;
}

/**
 * A builder's own file I/O (writing the bundle, hashing build.output) failing with an errno error is
 * the user's disk or path, not a bug in hot: it becomes a BuildError whose diagnostics are one line
 * naming the file and the cause in words, and a hint. Returns undefined for anything else, which the
 * caller rethrows: a programming error keeps its stack.
 */
export function diskBuildError(error: unknown, operation: DiskOperation, cwd: string): BuildError | undefined {
  const code = errnoCode(error);
  if (code === undefined) return undefined;
  const shown = path.relative(cwd, operation.file) || '.';
  const message = `cannot ${operation.doing} ${shown}: ${describeErrno(code)}`;
  const hint = diskHint(code, operation, cwd);
  return new BuildError(message, `${message}\nhint: ${hint}`, { hint, cause: error });
}

/** What the user can do about it; every hint ends the same way, since the build waits for a change. */
function diskHint(code: string, { file, setting }: DiskOperation, cwd: string): string {
  const retry = 'then save a file to rebuild';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `check the permissions of ${path.relative(cwd, path.dirname(file)) || '.'}, or set ${setting} to another path; ${retry}`;
    case 'EROFS':
      return `that file system is read-only: set ${setting} to a writable path; ${retry}`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `free some disk space, ${retry}`;
    case 'ENOTDIR':
    case 'EEXIST': {
      const blocker = fileInTheWay(file);
      const what = blocker ? `${path.relative(cwd, blocker) || '.'} is a file, not a directory` : 'a file is where a directory should be';
      return `${what}: remove it, or set ${setting} to another path; ${retry}`;
    }
    case 'EISDIR':
      return `a directory is where the file should be: remove it, or set ${setting} to another path; ${retry}`;
    case 'ELOOP':
      return `a symbolic link on that path points back to itself: remove it; ${retry}`;
    case 'ENAMETOOLONG':
      return `set ${setting} to a shorter path; ${retry}`;
    default:
      return `check that path and the disk, ${retry}`;
  }
}

/** The nearest existing ancestor of `file` when it is not a directory: what stops the directories being made. */
function fileInTheWay(file: string): string | undefined {
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      return statSync(dir).isDirectory() ? undefined : dir;
    } catch (error) {
      // Missing (ENOENT) or itself under a file (ENOTDIR): look one level up. Anything else: no guess.
      const code = errnoCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
    }
  }
  return undefined;
}
