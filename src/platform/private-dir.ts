import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { describeErrno, errnoCode, HotError } from '../errors.js';

/** Nobody else may read (source maps hold the sources) or write (hot runs what is there) a directory of hot's. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` and each directory between `base` and it, and checks every one: a real directory (not a
 * symbolic link), owned by the current user, mode 0700 (fixed when it is looser, since it is ours).
 * `base` (the user's cache directory, or the system temp directory) is taken as it is, made if missing.
 *
 * Another user who can write to `base`'s parent (/tmp) could have made one of these first, as a
 * directory of theirs or a link to one, and then swap the bundle hot is about to run: so anything
 * that is not ours is refused with a HotError, never used.
 */
export function ensurePrivateDir(base: string, dir: string): void {
  const parts = path.relative(base, dir).split(path.sep).filter(Boolean);
  if (parts.length === 0 || parts[0] === '..' || path.isAbsolute(parts[0]!)) throw new Error(`${dir} is not below ${base}`);
  try {
    mkdirSync(base, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (error) {
    throw unusable(base, error);
  }
  let current = base;
  for (const part of parts) {
    current = path.join(current, part);
    try {
      // Not recursive: mkdir never follows a link at its last component; it fails with EEXIST instead.
      mkdirSync(current, { mode: PRIVATE_DIR_MODE });
    } catch (error) {
      // EEXIST: made by an earlier run, or by someone else; the check below tells which.
      if (errnoCode(error) !== 'EEXIST') throw unusable(current, error);
    }
    checkOwnDirectory(current);
  }
}

/**
 * Opens the directory without following a link, then checks and fixes what was opened: a name swapped
 * between a check and a chmod cannot redirect either.
 */
function checkOwnDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errnoCode(error);
    // With O_DIRECTORY, Linux reports a link as ENOTDIR rather than ELOOP: lstat says which it was.
    if (code !== 'ELOOP' && code !== 'ENOTDIR') throw unusable(dir, error);
    throw unsafe(dir, isSymbolicLink(dir) ? 'is a symbolic link' : 'is not a directory', 'remove it if you made it');
  }
  try {
    const stats = fstatSync(fd);
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw unsafe(dir, `belongs to another user (uid ${stats.uid})`, 'someone may be trying to have hot run their code: leave it alone');
    }
    if ((stats.mode & 0o777) !== PRIVATE_DIR_MODE) fchmodSync(fd, PRIVATE_DIR_MODE);
  } finally {
    closeSync(fd);
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    // Gone since the open: it was not a directory of ours either way.
    return false;
  }
}

function unsafe(dir: string, what: string, advice: string): HotError {
  return new HotError('CACHE_UNSAFE', `hot's cache directory ${dir} ${what}: refusing to use it`, {
    hint: `${advice}, or set XDG_CACHE_HOME to a directory of your own`,
  });
}

/** A system error making or opening the directory: the user's disk or setup, so a HotError; anything else is a bug. */
function unusable(dir: string, error: unknown): unknown {
  const code = errnoCode(error);
  if (code === undefined) return error;
  return new HotError('CACHE_UNUSABLE', `cannot make hot's cache directory ${dir}: ${describeErrno(code)}`, {
    hint: 'set XDG_CACHE_HOME to a directory you can write to',
    cause: error,
  });
}
