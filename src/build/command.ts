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
  readonly output: NodeJS.ReadableStream | null;
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<unknown>;
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

/** A build that runs any command (`tsc -p .`, `npm run build`) in its own process group. */
export function createCommandBuilder(options: CommandBuilderOptions): Builder {
  let running: BuildProcess | null = null;
  let previousDigest: string | null = null;
  let closing: Promise<void> | undefined;

  return {
    description: options.describe(options.command),
    async build(): Promise<BuildResult> {
      const startedAt = Date.now();
      const child = options.spawn({ command: options.command, cwd: options.cwd, env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' }, stdio: 'pipe' });
      running = child;
      let text = '';
      child.output?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.length > MAX_OUTPUT_CHARS * 2) text = text.slice(-MAX_OUTPUT_CHARS);
      });
      const status = await child.exited;
      running = null;
      const durationMs = Date.now() - startedAt;
      text = text.length > MAX_OUTPUT_CHARS ? `…\n${text.slice(-MAX_OUTPUT_CHARS)}` : text;
      if (status.spawnError) return { type: 'build-failed', durationMs, diagnostics: status.spawnError.message };
      if (status.code !== 0) {
        const how = status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
        const hint = status.code === 127 ? ' (command not found)' : '';
        return { type: 'build-failed', durationMs, diagnostics: `${text.trimEnd()}\n${options.describe(options.command)} ${how}${hint}`.trim() };
      }
      if (text.trim() !== '') options.logger.block(text, 'debug');
      const digest = options.output ? digestPath(options.output) : null;
      const outputChanged = digest === null || digest !== previousDigest;
      previousDigest = digest;
      return { type: 'built', durationMs, outputChanged };
    },
    isInput: () => false,
    close() {
      closing ??= (async () => {
        await running?.stop(options.killSignal, options.killTimeoutMs);
      })();
      return closing;
    },
  };
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
