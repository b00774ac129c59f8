import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../config/schema.js';
import type { BuildResult } from '../events.js';
import type { Logger } from '../ui/logger.js';
import type { Builder } from './builder.js';

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
  logger: Logger;
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
  let previousDigest: string | null = null;
  let closing: Promise<void> | undefined;
  const label = options.describe(options.command);

  return {
    description: label,
    async build(): Promise<BuildResult> {
      const startedAt = Date.now();
      const env = { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
      const child = options.spawn({ command: options.command, cwd: options.cwd, env, stdio: 'pipe' });
      running = child;
      const merged = collectTail(child.output, MAX_OUTPUT_CHARS);
      const stderr = collectTail(child.errorOutput, MAX_STDERR_CHARS);
      const status = await child.exited;
      await Promise.race([merged.ended, delay(OUTPUT_DRAIN_MS)]);
      // Anything the command left running in its group is part of the build: it ends with it.
      await child.stop(options.killSignal, options.killTimeoutMs);
      running = null;
      const durationMs = Date.now() - startedAt;
      if (status.spawnError) return { type: 'build-failed', durationMs, diagnostics: status.spawnError.message };
      if (status.code !== 0) {
        const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
        const hint = status.code === 127 ? ' (command not found)' : '';
        return { type: 'build-failed', durationMs, diagnostics: `${failureText(merged, stderr)}\n${label} ${how}${hint}`.trim() };
      }
      if (merged.text().trim() !== '') options.logger.block(merged.text(), 'debug');
      const digest = options.output ? digestPath(options.output) : null;
      const outputChanged = digest === null || digest !== previousDigest;
      previousDigest = digest;
      return { type: 'built', durationMs, outputChanged };
    },
    isInput: () => false,
    kill() {
      running?.kill();
    },
    close() {
      closing ??= (async () => {
        await running?.stop(options.killSignal, options.killTimeoutMs);
      })();
      return closing;
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

/** A hash over every file under `target` (names and bytes), or null when it does not exist. */
function digestPath(target: string): string | null {
  const hash = createHash('sha256');
  const visit = (file: string): boolean => {
    let stats;
    try {
      stats = statSync(file);
    } catch {
      // The output was removed by the build itself or not written at all.
      return false;
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(file).sort()) visit(path.join(file, name));
    } else if (stats.isFile()) {
      hash.update(path.relative(target, file)).update('\0').update(readFileSync(file)).update('\0');
    }
    return true;
  };
  return visit(target) ? hash.digest('hex') : null;
}
