/** The config as the stages see it: every field present, paths absolute, times in milliseconds. */
import type { Command, ListenerSpec } from './schema.js';

export interface ResolvedWatch {
  root: string;
  include: readonly string[];
  exclude: readonly string[];
  gitignore: boolean;
  /** Poll every POLL_INTERVAL_MS instead of using file-system events. */
  poll: boolean;
  delayMs: number;
  /** Absolute paths that are never watched (build outputs). */
  outputs: readonly string[];
  /** Absolute paths that always matter (the config file, env files). */
  alwaysWatch: readonly string[];
  /**
   * Without a config file: a `.hotrc.toml` and a root `.env` that do not exist yet. Either appearing
   * re-reads the config, as an edit of the config file does (they are in alwaysWatch too).
   */
  appearing: readonly string[];
}

/** The directory where hot keeps its own files for a project (doctor's probe). */
export interface CacheDir {
  dir: string;
  /**
   * Null for node_modules/.cache/hot inside the project (or its workspace): the user's own tree, made
   * like any directory there. Otherwise `dir` is in hot's per-user cache under this directory (the
   * user's cache directory, or the system temp directory), and every directory from here down to
   * `dir` must be a real directory of this user with mode 0700 (see platform/private-dir.ts).
   */
  privateBase: string | null;
}

export type ResolvedBuild =
  | { kind: 'none' }
  | {
      kind: 'command';
      command: Command;
      cwd: string;
      output: string | null;
      killSignal: NodeJS.Signals;
      killTimeoutMs: number;
      /** build.env: variables for the command and the build hooks, over hot's own environment. */
      env: Record<string, string>;
      /**
       * The variable naming the command's temp directory (GOTMPDIR for go), or null. hot points it at
       * a fresh directory per build and removes that after the build: go build stopped midway (a
       * newer change, Ctrl-C) leaves its work directory behind otherwise, whatever the signal.
       */
      tempDirVariable: string | null;
    }
  | {
      kind: 'esbuild';
      root: string;
      entry: string;
      /**
       * The user's build.outfile: esbuild writes the bundle there and that bundle runs. Null (the
       * default): the entry runs in place under a TypeScript loader, and the build only gates
       * (a failed build keeps the running program) and maps the inputs; nothing is written.
       */
      outfile: string | null;
      bundlePackages: readonly string[];
    };

export interface ResolvedRun {
  /** Null for a package that is only built (a library in a monorepo). */
  command: Command | null;
  cwd: string;
  env: Readonly<Record<string, string>>;
  envFiles: readonly string[];
  killSignal: NodeJS.Signals;
  killTimeoutMs: number;
  stopOnError: boolean;
  /**
   * The warm standby: a Node program hot starts itself (bare `hot`, `hot <entry>`) gets its next
   * generation started ahead of time; `preloadAt` is where the node options of `command` end. Null
   * for any other command, or with `standby = false`.
   */
  standby: { preloadAt: number } | null;
  /** Why there is no warm standby, when there is none (said by doctor and --verbose). */
  standbyOff: string | null;
}

export interface ResolvedRestart {
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxRestarts: number;
  windowMs: number;
  onCleanExit: 'wait' | 'restart';
  cleanExitDelayMs: number;
}

/** allowedHosts: names the http proxy answers besides this machine's own (lower case; `.x.test` takes subdomains), or any. */
export type ResolvedServe =
  | { strategy: 'restart'; port: number | null }
  /**
   * No public port: hot holds the TCP sockets the (Node) program listens on and hands them to each
   * generation. drainTimeoutMs null: the generation's own run.kill_timeout.
   */
  | {
      strategy: 'hold';
      port: null;
      readyTimeoutMs: number;
      drainTimeoutMs: number | null;
      graceMs: number;
      /** With live_reload: hot's http proxy takes the program's first plain-HTTP port, the program a private one behind it. */
      liveReload: boolean;
      allowedHosts: readonly string[] | 'any';
    }
  | { strategy: 'proxy'; host: string; port: number; mode: 'http' | 'tcp'; liveReload: boolean; allowedHosts: readonly string[] | 'any'; readyTimeoutMs: number; drainTimeoutMs: number; graceMs: number }
  /** `listeners` are handed over as fds 3, 4, … in their order; `port` is the first one's (the program's PORT). */
  | { strategy: 'socket'; host: string; port: number; listeners: readonly ListenerSpec[]; readyPattern: string | null; readyTimeoutMs: number; drainTimeoutMs: number; graceMs: number };

/** Shell commands run at points of each cycle; null where none is set. */
export interface ResolvedHooks {
  preBuild: Command | null;
  postBuild: Command | null;
  onRestart: Command | null;
  onCrash: Command | null;
  onExit: Command | null;
}

export interface ResolvedTerminal {
  /** Clear the screen before each restart (when stdout is a terminal and CI is unset). */
  clear: boolean;
  /** Who reads the terminal's input: hot's shortcuts, or the program. */
  stdin: 'hot' | 'child';
  /** log_file, absolute: a copy of everything hot prints, emptied at each start; null without. */
  logFile: string | null;
}

/**
 * The type check beside the restart. `report`: tsc in watch mode prints its errors, never delaying a
 * restart; `block`: a type error counts as a failed build. `tsc` is null when none was found (the
 * checker then says so once and hot goes on without it).
 */
export interface ResolvedCheck {
  types: 'off' | 'report' | 'block';
  tsc: string | null;
  /** The root's tsconfig.json, given to tsc as -p. */
  tsconfig: string;
  /** It asks for incremental builds: tsc's .tsbuildinfo goes to hot's cache, not into the project. */
  incremental: boolean;
}

export interface ResolvedConfig {
  /** Absolute path of the config file, or null when hot runs without one. */
  configFile: string | null;
  /** The monorepo root's config file whose settings this one extends, or null. */
  baseConfigFile: string | null;
  cache: CacheDir;
  watch: ResolvedWatch;
  build: ResolvedBuild;
  run: ResolvedRun;
  restart: ResolvedRestart;
  serve: ResolvedServe;
  hooks: ResolvedHooks;
  terminal: ResolvedTerminal;
  check: ResolvedCheck;
  /**
   * When the entry run in place never calls listen() and another candidate entry does: the hint that
   * names it (shown when the program exits cleanly). Computed by loadConfig; absent elsewhere.
   */
  listenHint?: string;
}

