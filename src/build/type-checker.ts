import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { CacheDir, Command, ResolvedCheck } from '../config/schema.js';
import type { HotEvent, TypeDiagnostic } from '../events.js';
import { ensurePrivateDir } from '../platform/private-dir.js';
import type { Logger } from '../ui/logger.js';
import type { BuildProcess } from './command.js';
import { sameDiagnostics, TscOutputReader } from './tsc-output.js';

/** What the checker says, as HotEvents. */
export type TypeCheckEvent = Extract<HotEvent, { type: 'types-failed' | 'types-ok' | 'types-unavailable' }>;

/** The type check's word on a change: with types = "block", errors keep the previous version. */
export type TypeVerdict = { type: 'ok' } | { type: 'errors'; diagnostics: TypeDiagnostic[] } | { type: 'unknown'; reason: string };

export interface TypeChecker {
  /** Starts tsc (once); a checker that is off or closed does nothing. */
  start(): void;
  /**
   * The verdict of the first tsc pass that saw `paths` as they are now (for no paths: the pass under
   * way, or the last one). `unknown` when there is no tsc or it takes too long.
   */
  verdict(paths: readonly string[]): Promise<TypeVerdict>;
  close(): Promise<void>;
  /** SIGKILL to tsc's group, for a second Ctrl-C. */
  kill(): void;
}

export interface TypeCheckerOptions {
  check: ResolvedCheck;
  /** Where an incremental project's .tsbuildinfo goes instead of its own tree. */
  cache: CacheDir;
  spawn(spec: { command: Command; cwd: string; env: NodeJS.ProcessEnv; stdio: 'pipe' }): BuildProcess & { readonly pid: number };
  onEvent(event: TypeCheckEvent): void;
  logger: Logger;
  killTimeoutMs: number;
}

/** tsc waits 250 ms after a change before it compiles; a change it has not picked up by then is none of its files. */
export const PICKUP_MS = 2000;
/** A verdict never holds a restart longer than this. */
export const VERDICT_TIMEOUT_MS = 120_000;
/** Below the program's priority: tsc takes what the restart leaves. */
const TSC_NICENESS = 10;
/**
 * A pass answers for a file written at least this long before we read its start line: tsc prints that
 * line before it reads the files, and it reaches us a little later (a pipe, our event loop).
 */
const START_LINE_LAG_MS = 30;
/** Files whose change tsc compiles again. */
const TYPED_FILE = /\.(?:[cm]?tsx?|json)$/;

interface Pass {
  diagnostics: TypeDiagnostic[];
  /** When tsc began the compilation this pass ended (Date.now() of its first line). */
  startedAt: number;
}

interface Waiter {
  /** A pass that began at or after this answers; null: any pass that ends from now on, or the last one if tsc is idle. */
  since: number | null;
  resolve(verdict: TypeVerdict): void;
  pickup: NodeJS.Timeout | null;
  deadline: NodeJS.Timeout;
}

/** Where tsc stands: only the checker moves between these. */
type CheckerState =
  | { kind: 'off' }
  | { kind: 'idle' }
  | { kind: 'running'; child: BuildProcess; compilingSince: number | null; last: Pass | null; reported: TypeDiagnostic[] | null; lastLine: string }
  | { kind: 'gone'; reason: string }
  | { kind: 'closed' };

/** The type checker for one app or package: the project's own tsc in watch mode, in its own process group. */
export function createTypeChecker(options: TypeCheckerOptions): TypeChecker {
  return new TscWatch(options);
}

class TscWatch implements TypeChecker {
  readonly #options: TypeCheckerOptions;
  #state: CheckerState;
  readonly #waiters = new Set<Waiter>();
  #closing: Promise<void> | undefined;

  constructor(options: TypeCheckerOptions) {
    this.#options = options;
    this.#state = options.check.types === 'off' ? { kind: 'off' } : { kind: 'idle' };
  }

  start(): void {
    if (this.#state.kind !== 'idle') return;
    const { tsc, tsconfig } = this.#options.check;
    if (tsc === null) return this.#unavailable('no node_modules/.bin/tsc in the project or a directory above it', 'install TypeScript (npm i -D typescript), or set [check] types = false');
    if (!existsSync(tsconfig)) return this.#unavailable('no tsconfig.json at the root of the project', 'add one (npx tsc --init), or set [check] types = false');
    const cwd = path.dirname(tsconfig);
    const argv = [tsc, '--noEmit', '--watch', '--preserveWatchOutput', '--pretty', 'false', '-p', tsconfig, ...this.#buildInfoArguments()];
    const child = this.#options.spawn({ command: { kind: 'argv', argv }, cwd, env: process.env, stdio: 'pipe' });
    const state: CheckerState = { kind: 'running', child, compilingSince: Date.now(), last: null, reported: null, lastLine: '' };
    this.#state = state;
    lowerPriority(child.pid);
    const outputRead = this.#read(child, cwd);
    // Its last words (a bad option, a crash) may still be on their way when it exits.
    void Promise.all([child.exited, Promise.race([outputRead, new Promise((resolve) => setTimeout(resolve, 500).unref())])]).then(([status]) => {
      if (this.#state !== state) return;
      const how = status.spawnError ? `could not start: ${status.spawnError.message}` : status.signal ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
      this.#unavailable(`tsc ${how}${state.lastLine ? ` (${state.lastLine.slice(0, 200)})` : ''}`, 'hot goes on without the type check; restart hot to try again');
    });
  }

  verdict(paths: readonly string[]): Promise<TypeVerdict> {
    const state = this.#state;
    if (state.kind !== 'running') return Promise.resolve(unknownFor(state));
    const since = newestWrite(paths);
    if (state.compilingSince === null && state.last && covers(state.last, since)) return Promise.resolve(verdictOf(state.last));
    return new Promise((resolve) => {
      const waiter: Waiter = { since, resolve, pickup: null, deadline: setTimeout(() => this.#settle(waiter, { type: 'unknown', reason: `tsc gave no verdict within ${VERDICT_TIMEOUT_MS / 1000} s` }), VERDICT_TIMEOUT_MS) };
      this.#waiters.add(waiter);
      if (state.compilingSince === null) this.#armPickup(waiter);
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const state = this.#state;
      this.#state = { kind: 'closed' };
      this.#settleAll({ type: 'unknown', reason: 'hot is shutting down' });
      if (state.kind === 'running') await state.child.stop('SIGTERM', this.#options.killTimeoutMs);
    })();
    return this.#closing;
  }

  kill(): void {
    const state = this.#state;
    if (state.kind === 'running') state.child.kill();
  }

  /**
   * An incremental project's tsc writes a .tsbuildinfo next to its output on every pass, into the
   * tree hot watches: it goes to hot's cache instead (and the next start begins from it). Without a
   * usable cache, tsc writes where the project says.
   */
  #buildInfoArguments(): string[] {
    const { check, cache } = this.#options;
    if (!check.incremental) return [];
    try {
      if (cache.privateBase) ensurePrivateDir(cache.privateBase, cache.dir);
      else mkdirSync(cache.dir, { recursive: true });
    } catch (error) {
      this.#options.logger.debug(`tsc keeps its .tsbuildinfo in the project: ${(error as Error).message}`);
      return [];
    }
    const name = `tsc-${createHash('sha256').update(check.tsconfig).digest('hex').slice(0, 12)}.tsbuildinfo`;
    return ['--tsBuildInfoFile', path.join(cache.dir, name)];
  }

  /** Follows tsc's output; resolves when it ends. */
  #read(child: BuildProcess, cwd: string): Promise<void> {
    if (!child.output) return Promise.resolve();
    const reader = new TscOutputReader(cwd);
    const lines = createInterface({ input: child.output, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const state = this.#state;
      if (state.kind !== 'running' || state.child !== child) return;
      if (line.trim() !== '') state.lastLine = line.trim();
      const progress = reader.feed(line);
      if (progress?.type === 'compiling') state.compilingSince = Date.now();
      else if (progress?.type === 'pass') this.#passed({ diagnostics: progress.diagnostics, startedAt: state.compilingSince ?? Date.now() });
    });
    return new Promise((resolve) => lines.once('close', resolve));
  }

  /** A pass ended: say so when the errors changed, and answer the verdicts it covers. */
  #passed(pass: Pass): void {
    const state = this.#state;
    if (state.kind !== 'running') return;
    const before = state.reported;
    state.compilingSince = null;
    state.last = pass;
    state.reported = pass.diagnostics;
    const { diagnostics } = pass;
    this.#options.logger.debug(`tsc: ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`);
    if (diagnostics.length > 0 && (before === null || !sameDiagnostics(before, diagnostics))) {
      this.#options.onEvent({ type: 'types-failed', errors: diagnostics, blocking: this.#options.check.types === 'block' });
    } else if (diagnostics.length === 0 && (before === null || before.length > 0)) {
      this.#options.onEvent({ type: 'types-ok', fixed: before?.length ?? 0 });
    }
    for (const waiter of this.#waiters) {
      if (covers(pass, waiter.since)) this.#settle(waiter, verdictOf(pass));
      else this.#armPickup(waiter);
    }
  }

  /** tsc is idle and has not seen the change yet: if it does not start within PICKUP_MS, the last pass stands. */
  #armPickup(waiter: Waiter): void {
    if (waiter.pickup) clearTimeout(waiter.pickup);
    waiter.pickup = setTimeout(() => {
      const state = this.#state;
      if (state.kind !== 'running') return this.#settle(waiter, unknownFor(state));
      if (state.compilingSince !== null) return;
      this.#options.logger.debug('tsc did not compile after the change: its last verdict stands');
      this.#settle(waiter, state.last ? verdictOf(state.last) : { type: 'unknown', reason: 'tsc has not finished a pass' });
    }, PICKUP_MS);
  }

  #settle(waiter: Waiter, verdict: TypeVerdict): void {
    if (!this.#waiters.delete(waiter)) return;
    if (waiter.pickup) clearTimeout(waiter.pickup);
    clearTimeout(waiter.deadline);
    waiter.resolve(verdict);
  }

  #settleAll(verdict: TypeVerdict): void {
    for (const waiter of [...this.#waiters]) this.#settle(waiter, verdict);
  }

  #unavailable(reason: string, hint: string): void {
    this.#state = { kind: 'gone', reason };
    this.#options.onEvent({ type: 'types-unavailable', reason, hint });
    this.#settleAll({ type: 'unknown', reason });
  }
}

/** Whether tsc began `pass` after files written at `since` were (null: any pass will do). */
function covers(pass: Pass, since: number | null): boolean {
  return since === null || pass.startedAt >= since + START_LINE_LAG_MS;
}

function verdictOf(pass: Pass): TypeVerdict {
  return pass.diagnostics.length === 0 ? { type: 'ok' } : { type: 'errors', diagnostics: pass.diagnostics };
}

function unknownFor(state: CheckerState): TypeVerdict {
  return { type: 'unknown', reason: state.kind === 'gone' ? state.reason : `the type check is ${state.kind === 'running' ? 'running' : state.kind}` };
}

/**
 * When the newest of the changed files tsc compiles was written (mtime, the same clock as Date.now());
 * a deleted one counts as written now. Null when none of them is tsc's.
 */
function newestWrite(paths: readonly string[]): number | null {
  let newest: number | null = null;
  for (const file of paths) {
    if (!TYPED_FILE.test(file)) continue;
    let writtenAt: number;
    try {
      writtenAt = statSync(file).mtimeMs;
    } catch {
      // Deleted since: tsc notices that too.
      writtenAt = Date.now();
    }
    newest = Math.max(newest ?? 0, writtenAt);
  }
  return newest;
}

/** Cheap and best effort: a system that refuses leaves tsc at the normal priority. */
function lowerPriority(pid: number): void {
  if (pid === 0) return;
  try {
    setPriority(pid, TSC_NICENESS);
  } catch {
    // EACCES or ESRCH (it already exited): the exit handler reports the latter.
  }
}
