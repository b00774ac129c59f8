import { getSystemErrorMap } from 'node:util';

/**
 * Errors hot raises on purpose. A HotError is a user-facing problem: the CLI prints its message and
 * hint on one line each and exits with `exitCode`, without a stack. Anything that is not a HotError
 * is an internal bug and keeps its stack.
 */
export interface HotErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class HotError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: HotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

export interface ConfigErrorLocation {
  file: string;
  line?: number;
  column?: number;
  /** A few lines of the file around the problem, already formatted. */
  frame?: string;
}

/** A mistake in .hotrc.toml or on the command line. */
export class ConfigError extends HotError {
  readonly location: ConfigErrorLocation | undefined;

  constructor(message: string, options: HotErrorOptions & { location?: ConfigErrorLocation } = {}) {
    super('CONFIG_INVALID', message, options);
    this.location = options.location;
  }
}

/** A build that failed; `diagnostics` is the compiler's output, ready to print. */
export class BuildError extends HotError {
  readonly diagnostics: string;

  constructor(message: string, diagnostics: string, options: HotErrorOptions = {}) {
    super('BUILD_FAILED', message, options);
    this.diagnostics = diagnostics;
  }
}

/** A command that could not be started at all (not found, not executable, missing cwd). */
export class SpawnError extends HotError {
  constructor(message: string, options: HotErrorOptions = {}) {
    super('SPAWN_FAILED', message, options);
  }
}

/** A port or socket hot needs is not available. */
export class HandoffError extends HotError {
  constructor(message: string, options: HotErrorOptions = {}) {
    super('HANDOFF_FAILED', message, options);
  }
}

export function isHotError(error: unknown): error is HotError {
  return error instanceof HotError;
}

/**
 * The code (`ENOENT`, `EACCES`) of an error the operating system reported through Node, or undefined
 * for anything else: such an error is about the user's machine (disk, permissions, paths), not hot.
 */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  // Node's own errors have codes too (ERR_INVALID_ARG_TYPE) but no errno: those are bugs.
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof errno === 'number' ? code : undefined;
}

/** Where libuv's wording is missing or reads oddly in a sentence. */
const ERRNO_WORDS: Record<string, string> = {
  EISDIR: 'is a directory',
  EDQUOT: 'disk quota exceeded',
};

let errnoWords: Map<string, string> | undefined;

/** `permission denied (EACCES)`: an errno code in words, as the system says it, then the code. */
export function describeErrno(code: string): string {
  errnoWords ??= new Map([...getSystemErrorMap().values()].map(([name, words]) => [name, words]));
  const words = ERRNO_WORDS[code] ?? errnoWords.get(code);
  return words ? `${words} (${code})` : code;
}
