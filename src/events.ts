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
