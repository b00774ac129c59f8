/** Values and contracts passed between stages. Every union is switched on `type`. */
import type { Command, ResolvedConfig, ResolvedRun } from './config/schema.js';

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
      /** 'types': the build was fine, the type check ([check] types = "block") was not. */
      cause?: 'types';
    };

/** One error of the type checker (tsc): `src/a.ts(13,28): error TS2322: Type …`. */
export interface TypeDiagnostic {
  /** Absolute; null for an error about the project itself (a bad tsconfig). */
  file: string | null;
  /** 1-based, as tsc prints them; 0 without a file. */
  line: number;
  column: number;
  /** `TS2322`. */
  code: string;
  /** The message, with tsc's indented follow-up lines joined by newlines. */
  message: string;
}

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
  spawnError?: Error & { hint?: string };
}

/** Who wrote a file that keeps triggering cycles. */
export type LoopWriter = 'build' | 'program' | 'hook';

// ---------------------------------------------------------------------------------------------
// The job: sole owner of a program's generations and of the handoff.

/** idle: nothing running · starting · running · stopping · backoff: a restart is due · tripped: too many crashes. */
export type JobState = 'idle' | 'starting' | 'running' | 'stopping' | 'backoff' | 'tripped';

/** Messages to the job. */
export type JobControl =
  /** Start a new generation; the old one is stopped first, or (with a handoff) once the new one is ready. */
  | { type: 'start'; changedPaths: readonly string[] }
  /** Stop the running program through its kill path. */
  | { type: 'stop' }
  /** SIGKILL to every group the job started, now. */
  | { type: 'kill' }
  /** Wait, then say `backoff-due`; a start or stop in between cancels it. */
  | { type: 'backoff'; delayMs: number }
  /** Too many crashes: nothing runs until the next start. */
  | { type: 'trip' }
  /** New [run] settings: the next generation starts with them; the running one stops with its own. */
  | { type: 'reconfigure'; run: ResolvedRun }
  /** No version will come until the next start: the public port answers with this reason. */
  | { type: 'unavailable'; reason: string };

/** Why a start failed, in the job's words. */
export type StartFailure =
  | { cause: 'spawn'; error: Error & { hint?: string } }
  | { cause: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { cause: 'timeout'; timeoutMs: number };

/** What the job reports. */
export type JobEvent =
  | { type: 'spawned'; pid: number; restartCount: number; warm?: boolean }
  /**
   * The warm standby: started and its packages imported (`ready`), dropped because it no longer
   * matches the program's start (`discarded`), or gone on its own (`lost`). `detail` says how or why.
   */
  | { type: 'standby'; state: 'ready' | 'discarded' | 'lost'; pid: number; detail: string; /** A new standby takes its place at once. */ replaced?: boolean }
  /**
   * A start finished: the new generation is ready (listening with a handoff, else started).
   * `listenPending`: started in place by a handoff that hears when it listens; `listening` follows if it does.
   */
  | { type: 'ready'; pid: number; listenPending?: boolean }
  /** After a `ready` with `listenPending`: the program first listened (`at`: when, if that was before hot heard it; ms since the epoch). */
  | { type: 'listening'; pid: number; at?: number }
  /**
   * Handed the shared sockets, the generation counts as ready without having said so: it said nothing
   * and ran `afterMs` (`silent`; `first` at the first restart so taken, when hot says how to announce), or it did not say it within ready_timeout.
   */
  | { type: 'ready-assumed'; pid: number; reason: 'silent' | 'timeout'; afterMs: number; pattern: string | null; notify: boolean; first: boolean }
  /** A start that never became ready; with `oldServing`, the previous generation keeps serving. */
  | { type: 'start-failed'; pid: number; failure: StartFailure; oldServing: boolean; exit: ChildExit | null }
  /** A generation that was running exited on its own (not asked to, not during its start). */
  | { type: 'exited'; exit: ChildExit }
  /** A `stop` finished. */
  | { type: 'stopped' }
  | { type: 'backoff-due' }
  | { type: 'force-killed'; pid: number; afterMs: number; signal: NodeJS.Signals }
  /** Still not reaped long after SIGKILL (uninterruptible sleep): hot goes on without it. */
  | { type: 'stuck'; pid: number }
  | { type: 'env-file-problem'; file: string; reason: string }
  /** hot began to hold these listening sockets of the program (`:3000`, `127.0.0.1:3443`) and hands them to every generation. */
  | { type: 'holding'; addresses: readonly string[]; /** hot's http proxy (live reload) listens there, the program behind it. */ proxied?: boolean }
  /** hot closed these held sockets: the version that replaced the one listening there does not listen there. */
  | { type: 'released'; addresses: readonly string[] }
  /**
   * The program could not listen on a port because another process has it (null: Linux cannot tell
   * which), or because hot holds it for the program at another address (`heldAs`, e.g. `:3000`).
   */
  | { type: 'port-taken'; port: number; owner: { pid: number; command: string } | null; heldAs?: string }
  /** A bug in hot while carrying out a control: reported with its stack. */
  | { type: 'internal-error'; error: unknown };

/**
 * The IPC channel to a generation started with an 'ipc' fd (Node programs with held sockets). Only
 * messages whose `cmd` starts with `NODE_` travel on it: Node keeps them from the program's own
 * `process.on('message')` listeners.
 */
export interface GenerationChannel {
  /** A message to the generation, with a handle (a socket) to pass; dropped when it is gone (its exit says what happened). */
  send(message: { cmd: string; [key: string]: unknown }, handle?: unknown): void;
  /** Messages from the generation, with the handle that came with one. */
  onMessage(listener: (message: Record<string, unknown>, handle: unknown) => void): void;
  /** Resolves once the channel is closed: every message the generation sent has arrived. */
  readonly closed: Promise<void>;
}

/** A started process, as a readiness check sees it. */
export interface ReadinessSource {
  readonly pid: number;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly extraStreams: ReadonlyArray<NodeJS.ReadableStream | null>;
  /** With an 'ipc' extra fd. */
  readonly channel: GenerationChannel | null;
}

/** How a generation is launched beside the others: its environment, extra fds, a wrapper for the command. */
export interface GenerationLaunch {
  env: Record<string, string>;
  extraFds?: readonly unknown[];
  stdio?: 'inherit' | 'tee';
  wrapCommand?: (command: Command) => Command;
  /** A module every Node generation imports first, added to NODE_OPTIONS as the generation's environment has it. */
  preload?: string;
  /**
   * `preload` and the standby's preload in one module: in their place, in the argv of a Node command
   * hot starts itself with a standby (NODE_OPTIONS left as it is).
   */
  standbyPreload?: string;
}

/** What live-reload pages are told: a build error covers the page; type errors show beside it until fixed. */
export type PageEvent = { type: 'reload' } | { type: 'build-error'; text: string } | { type: 'build-ok' } | { type: 'type-errors'; text: string } | { type: 'types-ok' };

/**
 * Blue-green restarts (proxy, socket, held sockets): the next generation starts while the current
 * one still serves, and replaces it only once ready. Called only by the job.
 */
export interface Handoff {
  readonly readyTimeoutMs: number;
  /** Changes whenever the fds `prepare` hands a generation change (a socket held or let go): a warm standby started before has stale ones. */
  readonly epoch?: number;
  /** After the switch, how long the old generation may finish in-flight work before the kill path; null: its kill_timeout. */
  readonly drainTimeoutMs: number | null;
  /** After the switch, before the old generation is signalled: for connections already on their way. */
  readonly graceMs: number;
  /** Binds the public port (a taken one is a HandoffError); resolves with the URL to show, null without a public port. */
  open(): Promise<string | null>;
  /** Whether the next generation starts beside the current one; if not, the current one stops first. */
  startsBeside(): boolean;
  /** How to launch generation `generation`. */
  prepare(generation: number): Promise<GenerationLaunch>;
  /** A generation prepared (now, or ahead of time for a warm standby) starts now. */
  starting?(generation: number): void;
  /** The generation was spawned: the handoff may talk to it; what it has to say goes to `report`. */
  attach(generation: number, child: ReadinessSource, report: (event: JobEvent) => void): void;
  /**
   * Calls `listener` once, when the generation first listens, as the program itself says (held
   * sockets' preload), before anything else that listen brings is reported; returns what cancels it.
   * Absent where the program cannot say.
   */
  onFirstListen?(generation: number, listener: () => void): () => void;
  /** Resolves once the generation can serve; rejects when `signal` aborts. */
  waitReady(generation: number, child: ReadinessSource, signal: AbortSignal): Promise<void>;
  /** New connections go to this generation. */
  activate(generation: number): void;
  /** The serving generation is gone: new connections wait for the next one. */
  vacate(): void;
  /** The generation has exited (replaced, crashed or stopped). */
  retired(generation: number): void;
  /** No generation will come until the next change: connections get an answer naming `reason`. */
  unavailable(reason: string): void;
  /** Tells open pages (live reload): reload, or show or hide a build error. */
  announce(event: PageEvent): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The pipeline: one per app or package.

/** Why a cycle (build, then restart) runs, from the weakest to the strongest. */
export type CycleTrigger = 'retry' | 'start' | 'changes' | 'manual' | 'config-changed';

/** What a finished cycle tells the monorepo (and the promises of restart() and build()). */
export type CycleOutcome = 'built' | 'build-failed' | 'skipped';

export interface CycleReport {
  trigger: CycleTrigger;
  /** Whether the cycle came (at least partly) from this package's own files or a manual request. */
  own: boolean;
  paths: readonly string[];
  outcome: CycleOutcome;
}

/** A config re-read after its file changed. */
export type ConfigReload =
  | { type: 'unchanged' }
  | { type: 'applied'; config: ResolvedConfig; serveIgnored: boolean }
  | { type: 'invalid'; message: string; hint?: string };

/** A build as the pipeline sees it: the builder's result, or a write loop that stopped it before it ran. */
export type BuildOutcome = BuildResult | { type: 'loop'; writer: LoopWriter };

/** Everything a pipeline reacts to, in one typed queue. `waiter` ids resolve when their cycle ends. */
export type PipelineInput =
  /** `launchedAt`: when hot was launched (ms since the epoch), the first start's "ready in" counts from there. */
  | { type: 'start'; publicUrl: string | null; launchedAt?: number }
  | { type: 'changes'; paths: string[]; waiter?: number }
  /** The watcher is collecting changes that will arrive as `changes` (true), or has delivered them (false). */
  | { type: 'incoming'; pending: boolean }
  | { type: 'manual'; rebuildOnly: boolean; reason: string; waiter?: number }
  /** A package this one depends on changed (monorepo), or a file this one bundles from elsewhere. */
  | { type: 'upstream'; paths: string[]; reason: string; waiter?: number }
  | { type: 'config-changed'; file: string; waiter?: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'close' }
  /** Completions of the pipeline's own effects. */
  | { type: 'config-loaded'; reload: ConfigReload }
  | { type: 'built'; outcome: BuildOutcome }
  | { type: 'job'; event: JobEvent };

/** The outcome of a hook, in words for the log. */
export type HookName = 'pre_build' | 'post_build' | 'on_restart' | 'on_crash' | 'on_exit';

// ---------------------------------------------------------------------------------------------
// What hot reports.

/**
 * What hot reports to tools: `hot --json` writes one per line (with `time`, and `package` in a
 * monorepo), `app.on(type, listener)` delivers them in-process, and the terminal log is rendered
 * from them. Paths are absolute.
 */
export type HotEvent =
  /** The watcher finished its first scan: from now on every change is seen. */
  | { type: 'watching'; files: number; polling: boolean; root: string; build: string }
  /** Changed files (after the debounce) that start a cycle. */
  | { type: 'change'; paths: string[] }
  /** `build` says which build: `esbuild src/server.ts`, `tsc -p .`. */
  | { type: 'build-start'; build?: string }
  /** More changes arrived while it ran: its result is dropped, and one build takes them all in. */
  | { type: 'build-superseded'; durationMs: number }
  | { type: 'build-ok'; durationMs: number; outputChanged: boolean }
  /** `previous`: what became of the running program (kept, stopped by stop_on_error, or none running). */
  | { type: 'build-failed'; durationMs: number; diagnostics: string; previous: 'kept' | 'stopped' | 'none'; /** 'types': the type check failed ([check] types = "block"). */ cause?: 'types' }
  /**
   * The type checker's errors changed (said only when they do). `blocking`: with types = "block" they
   * keep the previous version running; else the new one runs regardless.
   */
  | { type: 'types-failed'; errors: TypeDiagnostic[]; blocking: boolean }
  /** The type check passed: at its first pass, or after errors (`fixed` of them). */
  | { type: 'types-ok'; fixed: number }
  /** No type check: tsc is missing, could not start, or exited; hot goes on without it. */
  | { type: 'types-unavailable'; reason: string; hint?: string }
  /** `warm`: the process was the warm standby, started ahead of time. */
  | { type: 'spawn'; pid: number; warm?: boolean }
  /** The warm standby was started (`ready`), dropped (`discarded`), or exited on its own (`lost`): `detail` says how or why. */
  | { type: 'standby'; state: 'ready' | 'discarded' | 'lost'; pid: number; detail: string; /** A new standby takes its place at once. */ replaced?: boolean }
  /** The new program is ready: listening on its port with [serve], else started. `readyMs` counts from the start of the cycle, build included. */
  | { type: 'ready'; pid: number; readyMs: number; buildMs: number | null; reason: string; /** Started, not known to listen yet: a `listening` event follows when it does. */ listenPending?: boolean }
  /** After a `ready` with `listenPending`: the program listens, `readyMs` after its cycle began. */
  | { type: 'listening'; pid: number; readyMs: number }
  /** A cycle that did not restart: the output was byte-identical, or a write loop was stopped. */
  | { type: 'restart-skipped'; reason: 'output-unchanged' | 'build-loop' | 'program-loop' | 'hook-loop'; paths: string[]; buildMs?: number; why?: string }
  /** A build-only package (no program) built. */
  | { type: 'built'; durationMs: number; reason: string }
  /**
   * A new version that never became ready: `reason` says why; with `oldServing`, the previous version
   * keeps serving. `after`: what the start was for (`src/server.ts changed`), for a restart hot was asked for.
   */
  | { type: 'start-failed'; reason: string; cause: StartFailure['cause']; pid: number; oldServing: boolean; hint?: string; after?: string }
  | { type: 'exit'; pid: number; code: number | null; signal: string | null; requested: boolean }
  /** The program exited with code 0 on its own: hot waits for a change. */
  | {
      type: 'clean-exit';
      pid: number;
      /** The entry never calls listen() and another candidate does: which to run. */
      hint?: string;
      /** on_clean_exit = "restart": it starts again after this long. */
      restartInMs?: number;
    }
  | { type: 'crash'; pid: number; code: number | null; signal: string | null; attempt: number; maxRestarts: number; delayMs: number }
  | { type: 'circuit-open'; pid: number; code: number | null; signal: string | null; crashes: number; windowMs: number }
  | { type: 'force-killed'; pid: number; afterMs: number; signal: string }
  | { type: 'stuck'; pid: number }
  | { type: 'env-file-problem'; file: string; reason: string }
  /** hot holds these listening sockets of the program (`:3000`) for every version of it. */
  | { type: 'holding'; addresses: string[]; proxied?: boolean }
  | { type: 'ready-assumed'; pid: number; reason: 'silent' | 'timeout'; afterMs: number; pattern: string | null; notify: boolean; first: boolean }
  /** hot no longer holds these: the new version does not listen there. */
  | { type: 'released'; addresses: string[] }
  /** The program could not listen on `port`: another process has it, or hot holds it for the program at another address (`heldAs`). */
  | { type: 'port-taken'; port: number; owner: { pid: number; command: string } | null; heldAs?: string }
  | { type: 'hook-failed'; hook: HookName; command: string; failure: string }
  /** A file the program holds open for writing changed: not a reason to restart (said once per file). */
  | { type: 'written-by-program'; path: string }
  | { type: 'config-reloaded'; serveIgnored: boolean }
  | { type: 'config-error'; message: string; hint?: string }
  /** hot stopped watching and stopped the program. */
  | { type: 'stopped' };

export type HotEventType = HotEvent['type'];
export type HotEventOf<T extends HotEventType> = Extract<HotEvent, { type: T }>;

/** An event of one package of a monorepo carries the package's name; hot's own carry none. */
export type PackageEvent = HotEvent & { package?: string };
