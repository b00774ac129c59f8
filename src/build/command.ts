import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '../config/schema.js';
import { BuildError, errnoCode } from '../errors.js';
import type { BuildResult } from '../events.js';
import type { Logger } from '../ui/logger.js';
import type { Builder } from './builder.js';
import { diskBuildError } from './disk-error.js';

/** The part of a started process the build needs; the app passes in the supervisor's spawner. */
export interface BuildProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>;
  /** stdout and stderr, merged in arrival order. */
  readonly output: NodeJS.ReadableStream | null;
  /** stderr alone, also part of `output`. */
  readonly errorOutput: NodeJS.ReadableStream | null;
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<unknown>;
  kill(): void;
}

export interface CommandBuilderOptions {
  command: Command;
  cwd: string;
  /** File or directory the command writes; when its bytes don't change, the restart is skipped. */
  output: string | null;
  killSignal: NodeJS.Signals;
  killTimeoutMs: number;
  /** build.env, over hot's own environment. */
  env?: Record<string, string>;
  /** See ResolvedBuild: the variable that gets a fresh temp directory per build, removed after it. */
  tempDirVariable?: string | null;
  logger: Logger;
  /**
   * The directory hot was started in. A failed build's `path:line:col` (or tsc's `path(line,col)`) at
   * the start of a line, relative to `cwd`, is printed relative to this instead. Default: process.cwd().
   */
  reportCwd?: string;
  spawn(spec: { command: Command; cwd: string; env: NodeJS.ProcessEnv; stdio: 'pipe' }): BuildProcess;
  describe(command: Command): string;
}

/** Keeps the end of a long build log: the errors are usually there. */
const MAX_OUTPUT_CHARS = 64 * 1024;
const MAX_STDERR_CHARS = 16 * 1024;
/** After the command exits, how long its output may still take to arrive (a process it left writes last). */
const OUTPUT_DRAIN_MS = 1000;

/** A build that runs any command (`tsc -p .`, `npm run build`) in its own process group. */
export function createCommandBuilder(options: CommandBuilderOptions): Builder {
  let running: BuildProcess | null = null;
  const tempDir = createBuildTempDir(options.tempDirVariable ?? null);
  let previousDigest: string | null = null;
  let closing: Promise<void> | undefined;
  const label = options.describe(options.command);
  const reportCwd = options.reportCwd ?? process.cwd();

  return {
    description: label,
    async build(): Promise<BuildResult> {
      const startedAt = Date.now();
      const env = { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0', ...options.env, ...tempDir.open() };
      const child = options.spawn({ command: options.command, cwd: options.cwd, env, stdio: 'pipe' });
      running = child;
      const merged = collectTail(child.output, MAX_OUTPUT_CHARS);
      const stderr = collectTail(child.errorOutput, MAX_STDERR_CHARS);
      const status = await child.exited;
      await Promise.race([merged.ended, delay(OUTPUT_DRAIN_MS)]);
      // Anything the command left running in its group is part of the build: it ends with it.
      await child.stop(options.killSignal, options.killTimeoutMs);
      tempDir.remove();
      running = null;
      const durationMs = Date.now() - startedAt;
      if (status.spawnError) return { type: 'build-failed', durationMs, diagnostics: status.spawnError.message };
      if (status.code !== 0) {
        const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
        const hint = status.code === 127 ? ' (command not found)' : '';
        const text = relocateLeadingPaths(failureText(merged, stderr), options.cwd, reportCwd);
        return { type: 'build-failed', durationMs, diagnostics: `${text}\n${label} ${how}${hint}`.trim() };
      }
      if (merged.text().trim() !== '') options.logger.block(merged.text(), 'debug');
      let digest: string | null;
      try {
        digest = options.output ? digestPath(options.output, reportCwd) : null;
      } catch (error) {
        if (!(error instanceof BuildError)) throw error;
        // previousDigest stays: once the output reads again, it is compared with the last good build.
        return { type: 'build-failed', durationMs, diagnostics: error.diagnostics };
      }
      const outputChanged = digest === null || digest !== previousDigest;
      previousDigest = digest;
      return { type: 'built', durationMs, outputChanged };
    },
    isInput: () => false,
    kill() {
      running?.kill();
      tempDir.remove();
    },
    close() {
      closing ??= (async () => {
        await running?.stop(options.killSignal, options.killTimeoutMs);
        tempDir.remove();
      })();
      return closing;
    },
  };
}

/** The build's own temp directory, given to it in `variable`; none without a variable. */
function createBuildTempDir(variable: string | null): { open(): Record<string, string>; remove(): void } {
  let dir: string | null = null;
  return {
    open() {
      if (variable === null) return {};
      dir ??= mkdtempSync(path.join(os.tmpdir(), 'hot-build-'));
      return { [variable]: dir };
    },
    remove() {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
}

interface Tail {
  text(): string;
  truncated(): boolean;
  readonly ended: Promise<void>;
}

function collectTail(stream: NodeJS.ReadableStream | null, limit: number): Tail {
  let text = '';
  let truncated = false;
  const ended = new Promise<void>((resolve) => {
    if (!stream) return resolve();
    stream.on('end', () => resolve());
    stream.on('error', () => resolve());
  });
  stream?.on('data', (chunk: Buffer | string) => {
    text += chunk.toString();
    if (text.length > limit * 2) {
      text = text.slice(-limit);
      truncated = true;
    }
  });
  return {
    text: () => (text.length > limit ? text.slice(-limit) : text),
    truncated: () => truncated || text.length > limit,
    ended,
  };
}

/** The end of the merged log; when that was cut, the error stream's end too, so an error line is never lost. */
function failureText(merged: Tail, stderr: Tail): string {
  const body = merged.truncated() ? `…\n${merged.text().trimEnd()}` : merged.text().trimEnd();
  const errors = stderr.text().trim();
  if (!merged.truncated() || errors === '' || merged.text().includes(errors)) return body;
  return `${body}\n… stderr:\n${errors}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A hash over every file under `target` (names and bytes), or null when it does not exist. A file or
 * directory that is there but cannot be read (EACCES, EIO, a symlink loop) throws a BuildError.
 */
function digestPath(target: string, cwd: string): string | null {
  const hash = createHash('sha256');
  // A symlink back up the tree would be walked until ELOOP; each directory is read once.
  const seen = new Set<string>();
  const visit = (file: string): boolean => {
    try {
      const stats = statSync(file);
      if (stats.isDirectory()) {
        const id = `${stats.dev}:${stats.ino}`;
        if (seen.has(id)) return true;
        seen.add(id);
        for (const name of readdirSync(file).sort()) visit(path.join(file, name));
      } else if (stats.isFile()) {
        const bytes = readFileSync(file);
        hash.update(path.relative(target, file)).update('\0').update(bytes).update('\0');
      }
      // Anything else (a FIFO, a socket) has no bytes to compare, and reading a FIFO would block.
      return true;
    } catch (error) {
      if (error instanceof BuildError) throw error;
      // Removed by the build itself between the listing and the read, never written, or a dangling symlink.
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw diskBuildError(error, { doing: 'read the build output', file, setting: 'build.output' }, cwd) ?? error;
    }
  };
  return visit(target) ? hash.digest('hex') : null;
}

/** `src/a.ts:3:5` or tsc's `src/a.ts(3,5)` at the start of a line (after optional spaces). */
const LEADING_LOCATION = /^(\s*)([^\s:(][^:(\n]*?)(?=:\d+:\d+|\(\d+,\d+\))/gm;

/**
 * A build command names files relative to its own cwd; hot prints paths relative to where it was
 * started. Only a leading relative path followed by a line and column, naming a file that exists
 * under the build's cwd, is rewritten: anything else in a tool's output is left as it is.
 */
export function relocateLeadingPaths(text: string, buildCwd: string, reportCwd: string): string {
  if (path.resolve(buildCwd) === path.resolve(reportCwd)) return text;
  return text.replace(LEADING_LOCATION, (whole, indent: string, file: string) => {
    if (path.isAbsolute(file)) return whole;
    const absolute = path.resolve(buildCwd, file);
    if (!existsSync(absolute)) return whole;
    return `${indent}${path.relative(reportCwd, absolute) || file}`;
  });
}
