/** Values passed between stages. Every union is switched on `type`. */

export type FileChangeKind = 'add' | 'change' | 'unlink';

/** One file-system event, with an absolute path. */
export interface FileChange {
  kind: FileChangeKind;
  path: string;
}

/** Changes collected over one quiet period; `paths` are absolute and unique, oldest first. */
export interface ChangeBatch {
  paths: string[];
}

export type BuildResult =
  | {
      type: 'built';
      durationMs: number;
      /** False when the output is byte-identical to the previous successful build. */
      outputChanged: boolean;
    }
  | {
      type: 'build-failed';
      durationMs: number;
      /** Compiler output to show the user, file:line:col included. */
      diagnostics: string;
    };

export interface ChildExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  uptimeMs: number;
  /** True when hot stopped the child itself (restart or shutdown). */
  requested: boolean;
  /** True for a generation that exited before it was ready: its start failed, the old one still serves. */
  beforeReady: boolean;
  /** Set when the command could not be started at all. */
  spawnError?: Error;
}

export type SupervisorEvent =
  | { type: 'spawned'; pid: number; restartCount: number }
  | { type: 'exited'; exit: ChildExit }
  | { type: 'force-killed'; pid: number; afterMs: number }
  /** Still not reaped long after SIGKILL (uninterruptible sleep): hot goes on without it. */
  | { type: 'stuck'; pid: number };

/** Why a cycle (build, then restart) runs. */
export type Trigger =
  | { type: 'start' }
  | { type: 'changes'; paths: string[] }
  | { type: 'manual'; reason: string }
  | { type: 'config-changed' }
  | { type: 'retry' };

/**
 * What hot reports to tools: `hot --json` writes one per line (with `time`, and `package` in a
 * monorepo), and `app.on(type, listener)` delivers them in-process. Paths are absolute.
 */
export type HotEvent =
  /** The watcher finished its first scan: from now on every change is seen. */
  | { type: 'watching'; files: number; polling: boolean }
  /** Changed files (after the debounce) that start a cycle. */
  | { type: 'change'; paths: string[] }
  | { type: 'build-start' }
  | { type: 'build-ok'; durationMs: number; outputChanged: boolean }
  | { type: 'build-failed'; durationMs: number; diagnostics: string }
  | { type: 'spawn'; pid: number }
  /** The new program is ready: listening on its port with [serve], else started. `readyMs` counts from the start of the cycle, build included. */
  | { type: 'ready'; pid: number; readyMs: number; buildMs: number | null; reason: string }
  /** A cycle that did not restart: the output was byte-identical, or a write loop was stopped. */
  | { type: 'restart-skipped'; reason: 'output-unchanged' | 'build-loop' | 'program-loop' | 'hook-loop' }
  /** A new version that never became ready. */
  | { type: 'start-failed'; reason: string }
  | { type: 'exit'; pid: number; code: number | null; signal: string | null; requested: boolean }
  | { type: 'crash'; pid: number; code: number | null; signal: string | null; attempt: number; maxRestarts: number; delayMs: number }
  | { type: 'circuit-open'; crashes: number; windowMs: number }
  | { type: 'config-reloaded' }
  | { type: 'config-error'; message: string }
  /** hot stopped watching and stopped the program. */
  | { type: 'stopped' };

export type HotEventType = HotEvent['type'];
export type HotEventOf<T extends HotEventType> = Extract<HotEvent, { type: T }>;

/** An event of one package of a monorepo carries the package's name; hot's own carry none. */
export type PackageEvent = HotEvent & { package?: string };
