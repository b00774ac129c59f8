import { statSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command, ResolvedRun } from '../config/schema.js';
import type { GenerationLaunch } from '../events.js';
import type { ChildHandle } from './child.js';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('../preload/standby.js', import.meta.url))).href;

/** The variable naming the fd of the standby's socket; the preload removes it (and HOT_STANDBY_WAIT) from the program's view. */
export const STANDBY_FD_VARIABLE = 'HOT_STANDBY_FD';

/**
 * The program's command with the standby preload loaded last, after hot's loaders and before the
 * program (`at`: where the node options end). Every generation of the job runs it, cold or warm, so
 * `process.execArgv` is the same for both. `preload`: a module that is the standby's preload and more.
 */
export function withStandbyPreload(command: Command, at: number, preload = PRELOAD): Command {
  if (command.kind !== 'argv') return command;
  return { kind: 'argv', argv: [...command.argv.slice(0, at), `--import=${preload}`, ...command.argv.slice(at)] };
}

/**
 * Node options that import a module before the program (which could listen, or start a worker).
 * `--require` preloads run before every `--import`, wherever given: the handoff's preload comes after
 * them either way.
 */
const LOADS_MODULE = /^(?:--import|--loader|--experimental-loader)(?:=|$)/;

/**
 * Whether the node options of `command` (before `at`) import no module: then the handoff's preload
 * can come in the argv with the standby's, after them, and still be the first ES module the program
 * loads. With a loader or an import of the user's (tsx, `--import ./tracing.mjs`), it stays ahead of
 * them through NODE_OPTIONS, which Node reads before the argv.
 */
export function loadsNoModule(command: Command, at: number): boolean {
  return command.kind === 'argv' && !command.argv.slice(1, at).some((arg) => LOADS_MODULE.test(arg));
}

/** One line of JSON per message on a generation's standby socket (see preload/standby.ts). */
export interface StandbyChannel {
  send(message: object): void;
  /** The next message that has `key`; null when the socket closes or `timeoutMs` passes first. */
  next<T>(key: string, timeoutMs: number): Promise<T | null>;
}

export function standbyChannel(socket: Socket): StandbyChannel {
  const waiting = new Set<{ key: string; done: (value: unknown) => void }>();
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const waiter of waiting) if (waiter.key in message) waiter.done(message[waiter.key]);
    }
  });
  socket.on('close', () => {
    for (const waiter of waiting) waiter.done(null);
  });
  return {
    send(message) {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    },
    next<T>(key: string, timeoutMs: number): Promise<T | null> {
      if (socket.destroyed) return Promise.resolve(null);
      return new Promise<T | null>((resolve) => {
        const waiter = {
          key,
          done: (value: unknown) => {
            clearTimeout(timer);
            waiting.delete(waiter);
            resolve(value as T | null);
          },
        };
        const timer = setTimeout(() => waiter.done(null), timeoutMs);
        waiting.add(waiter);
      });
    },
  };
}

/** The files whose change means a standby's packages may not be what the program would load now. */
const PACKAGE_FILES = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'node_modules/.package-lock.json',
  'node_modules/.modules.yaml',
  'node_modules/.yarn-state.yml',
];

/** How many directories up from the program's cwd the package files are looked at (a monorepo's root). */
const PACKAGE_DEPTH = 6;

/** One string that changes when an install or a package.json edit happens in the cwd or above it. */
export function packageStamp(cwd: string): string {
  const parts: string[] = [];
  let dir = path.resolve(cwd);
  for (let depth = 0; depth < PACKAGE_DEPTH; depth++) {
    for (const name of PACKAGE_FILES) {
      try {
        const stats = statSync(path.join(dir, name));
        parts.push(`${dir}/${name}:${stats.mtimeMs}:${stats.size}`);
      } catch {
        // Not there: its absence is part of the stamp.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return parts.join('\n');
}

/** A changed path that can change which packages the program loads (the stamp catches the rest). */
export function changesPackages(file: string): boolean {
  const name = path.basename(file);
  return PACKAGE_FILES.includes(name) || file.split(path.sep).includes('node_modules');
}

/** A process started as the next generation would be, waiting in the preload for "go". */
export interface Standby {
  readonly id: number;
  readonly child: ChildHandle;
  readonly channel: StandbyChannel;
  /** The [run] and the environment (before hot's per-generation variables) it was started with. */
  readonly run: ResolvedRun;
  readonly env: NodeJS.ProcessEnv;
  readonly launch: GenerationLaunch;
  readonly stamp: string;
  /** The handoff's epoch when it was started: the fds it inherited. */
  readonly epoch: number;
  alive: boolean;
  readonly startedAt: number;
  /** The files it was told to import, and how many of them it imported. */
  readonly sent: Set<string>;
  warmed: number;
  /** A first batch was sent (maybe empty). */
  booted: boolean;
  /** The batch being imported: the next waits for it. */
  warming: Promise<void>;
}

/** Why a standby cannot be the next generation, or null when it can. */
export function standbyMismatch(standby: Standby, now: { run: ResolvedRun; env: NodeJS.ProcessEnv; epoch: number; changedPaths: readonly string[] }): string | null {
  if (!standby.alive) return 'it exited';
  if (standby.run !== now.run) return '[run] changed';
  if (standby.epoch !== now.epoch) return 'hot holds other sockets now';
  const changed = now.changedPaths.find(changesPackages);
  if (changed) return `${path.basename(changed)} changed`;
  if (packageStamp(now.run.cwd) !== standby.stamp) return 'packages were installed or package.json changed';
  const differs = differentVariable(standby.env, now.env);
  if (differs) return `the environment changed (${differs})`;
  return null;
}

function differentVariable(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): string | null {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[name] !== b[name]) return name;
  return null;
}
