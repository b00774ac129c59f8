/**
 * The one table of hot's settings: TOML key, CLI flag, type, default and description.
 * Validation, `--help` and the README's key table all come from here, so they cannot drift.
 */

export const DEFAULT_INCLUDE = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,json}'];
/** Not watched by default when hot runs an entry (build.entry): its tests, which the program never loads. */
export const ENTRY_DEFAULT_EXCLUDE = ['**/*.test.*', '**/*.spec.*', '__tests__/'];
/** Never watched, whatever the config says: dependencies, VCS data and editors' temporary files. */
export const DEFAULT_EXCLUDE = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.hg/**',
  '**/.svn/**',
  '**/*.swp',
  '**/*.swx',
  '**/*~',
  '**/.#*',
  '**/#*#',
  '**/*___jb_tmp___',
  '**/*___jb_old___',
  '**/*.tmp',
  '**/4913',
  '**/.DS_Store',
];
export const DEFAULT_DELAY_MS = 10;
/** How often polling looks at each file: ~1 ms of CPU per 100 files per round on the test machine. */
export const POLL_INTERVAL_MS = 300;
export const DEFAULT_KILL_SIGNAL = 'SIGTERM';
export const DEFAULT_KILL_TIMEOUT_MS = 3000;
export const DEFAULT_BACKOFF_INITIAL_MS = 100;
export const DEFAULT_BACKOFF_MAX_MS = 5000;
export const DEFAULT_MAX_RESTARTS = 5;
export const DEFAULT_RESTART_WINDOW_MS = 30_000;
export const CONFIG_FILE_NAME = '.hotrc.toml';
/** air's rerun_delay default: a program that exits cleanly is started again this long after. */
export const DEFAULT_CLEAN_EXIT_DELAY_MS = 500;
/** hooks.on_exit may run this long when hot stops before it is stopped. */
export const DEFAULT_ON_EXIT_TIMEOUT_MS = 10_000;
export const DEFAULT_READY_TIMEOUT_MS = 10_000;
/** Held sockets are on by default, where a plain restart never timed a start: room for a slow one, while the old version serves. */
export const DEFAULT_HOLD_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 2000;
/** After switching to a new generation, before the old one is signalled: for connections on their way. */
export const SWITCH_GRACE_MS = 100;
export const DEFAULT_SERVE_HOST = 'localhost';

export type ValueType =
  | 'string'
  | 'string-list'
  | 'string-or-list'
  | 'command'
  | 'ms'
  | 'count'
  | 'boolean'
  | 'signal'
  | 'env-table'
  | 'choice'
  | 'switch'
  | 'pattern'
  | 'port'
  | 'hosts'
  | 'listeners'
  | 'table';

export interface SettingSpec {
  /** Dotted TOML key (`run.kill_timeout`), or null for a CLI-only flag. */
  key: string | null;
  /** CLI flag without dashes, or null when the setting lives only in the file. */
  flag: string | null;
  /** One-letter alias of the flag (`-c`). */
  shortFlag?: string;
  /**
   * The `CliOverrides` field the flag fills, for flags that override a file setting. CLI-only flags
   * (`--json`, `--filter`) have none: they steer the command line itself.
   */
  override?: string;
  /** For a boolean override: an environment variable that turns it on when set to 1 or true. */
  env?: string;
  type: ValueType;
  /** What `--help` and the README show as the default. */
  defaultText: string;
  description: string;
  /** For string lists: every item is a glob pattern, checked when the config is read. */
  glob?: boolean;
  /** For 'choice': the accepted values; for 'switch': the values accepted besides true and false. */
  choices?: readonly string[];
}

/** What a setting's value is once validated and converted, by its type. */
export interface ValueOfType {
  string: string;
  'string-list': string[];
  'string-or-list': string[];
  command: Command;
  ms: number;
  count: number;
  boolean: boolean;
  signal: NodeJS.Signals;
  'env-table': Record<string, string>;
  choice: string;
  /** true, false, or one of the row's choices. */
  switch: boolean | string;
  pattern: string;
  port: number;
  /** Host names, or true for any. */
  hosts: string[] | true;
  listeners: ListenerSpec[];
  table: Record<string, unknown>;
}

/** One socket of serve.listen: its port (0: any free one) and the name LISTEN_FDNAMES gives it. */
export interface ListenerSpec {
  port: number;
  name: string;
}

// `as const` keeps each row's literal types, so CliOverrides below can be derived from the rows.
const SETTING_ROWS = [
  { key: 'include', flag: 'include', override: 'include', type: 'string-list', defaultText: "all .js/.ts/.json files, plus the build's own inputs; with build.outfile, the bundle's inputs plus package.json and tsconfig.json; when bin or build.cmd runs go, .go files, templates (.tmpl, .tpl, .html), go.mod and go.sum", description: 'globs of files to watch, relative to the config file; "templates/" (a trailing slash) is that directory and everything in it, at any depth when it has no other slash, as in .gitignore', glob: true },
  { key: 'exclude', flag: 'exclude', override: 'exclude', type: 'string-list', defaultText: 'with build.entry: **/*.test.*, **/*.spec.*, __tests__/ (tests, which the program never loads); when bin or build.cmd runs go: vendor/, testdata/, **/*_test.go, tmp/; else []', description: 'globs never to watch, added to node_modules, .git, editor temp files and the build output; "testdata/" (a trailing slash) is that directory and everything in it, at any depth when it has no other slash', glob: true },
  { key: 'delay', flag: 'delay', override: 'delayMs', type: 'ms', defaultText: String(DEFAULT_DELAY_MS), description: 'milliseconds of quiet after a saved file before rebuilding; several changed files wait at least 250, so a checkout is one restart' },
  { key: 'bin', flag: null, type: 'command', defaultText: 'node --import tsx <build.entry> (node <build.outfile> with build.outfile)', description: 'what to run: a command line, or an array of arguments' },
  { key: 'gitignore', flag: null, type: 'boolean', defaultText: 'true', description: 'also skip the files the .gitignore files ignore (the root\'s and those in directories below it); an edit to one applies at once' },
  { key: 'poll', flag: 'poll', override: 'poll', env: 'HOT_POLL', type: 'boolean', defaultText: 'false (HOT_POLL=1 turns it on)', description: `check files every ${POLL_INTERVAL_MS} ms instead of waiting for file-system events: for Docker bind mounts, network drives, WSL's /mnt; when it runs out of inotify watches, hot polls by itself the files it could not watch` },
  { key: 'build', flag: null, type: 'table', defaultText: '', description: 'how to build before each run (leave out to run `bin` directly)' },
  { key: 'build.cmd', flag: null, type: 'command', defaultText: '', description: 'a build command, e.g. "tsc -p ."' },
  { key: 'build.entry', flag: null, type: 'string', defaultText: '', description: 'or: the entry file, run in place with a TypeScript loader (tsx); the built-in incremental esbuild build checks it first and maps what it imports' },
  { key: 'build.outfile', flag: null, type: 'string', defaultText: 'none: the entry runs from its own files', description: 'bundle with esbuild into this file and run the bundle instead of the entry' },
  { key: 'build.env', flag: null, type: 'env-table', defaultText: '{}', description: 'environment variables for build.cmd and the build hooks (air\'s build env; [run] env is the program\'s), e.g. { CGO_ENABLED = "0" }' },
  { key: 'build.output', flag: null, type: 'string', defaultText: '', description: 'file or directory `build.cmd` writes: never watched, and a build that leaves it byte-identical skips the restart' },
  { key: 'run', flag: null, type: 'table', defaultText: '', description: 'how the program is run and stopped' },
  { key: 'run.cwd', flag: null, type: 'string', defaultText: 'the config file\'s directory', description: 'working directory of the program' },
  { key: 'run.args', flag: null, type: 'string-list', defaultText: '[]', description: 'extra arguments appended to `bin`' },
  { key: 'run.launcher', flag: null, type: 'command', defaultText: 'none: node runs build.entry itself', description: 'a Node CLI of the project (from node_modules/.bin) that loads build.entry and listens, e.g. "fastify start -l info": it runs under the TypeScript loader, given the entry as its file' },
  { key: 'run.env', flag: null, type: 'env-table', defaultText: '{}', description: 'environment variables for the program' },
  { key: 'run.env_file', flag: null, type: 'string-or-list', defaultText: '[]; without a config file, .env and the files the dev script passes to node with --env-file', description: 'dotenv files loaded for the program; editing one restarts it' },
  { key: 'run.kill_signal', flag: 'kill-signal', override: 'killSignal', type: 'signal', defaultText: `${DEFAULT_KILL_SIGNAL}; SIGINT for a go command (go run passes only SIGINT on, and cleans up its temp dir)`, description: 'signal sent to the program\'s process group (and to build.cmd\'s) to stop it' },
  { key: 'run.kill_timeout', flag: 'kill-timeout', override: 'killTimeoutMs', type: 'ms', defaultText: String(DEFAULT_KILL_TIMEOUT_MS), description: 'milliseconds to wait after kill_signal before SIGKILL' },
  { key: 'run.stop_on_error', flag: null, type: 'boolean', defaultText: 'false', description: 'stop the program when a build fails (default: keep the last good one running)' },
  { key: 'run.standby', flag: null, type: 'boolean', defaultText: 'true', description: 'start the next version of a Node program hot runs itself ahead of time, its packages already imported, so a restart skips booting Node (`false`: every restart is a cold start)' },
  { key: 'clear', flag: 'clear', override: 'clear', type: 'boolean', defaultText: 'false', description: 'clear the terminal before each restart (only on a terminal, never when CI is set)' },
  { key: 'log_file', flag: null, type: 'string', defaultText: '', description: 'also write everything hot prints (its lines, build output, the program\'s output) to this file, emptied at each start of hot; the program\'s output then goes through hot (it sees no terminal). Never watched. Read at start: a change applies at the next start' },
  { key: 'stdin', flag: null, type: 'choice', choices: ['hot', 'child'], defaultText: '"hot" on a terminal (keyboard shortcuts), else the program\'s', description: '"child" gives the terminal\'s input to the program and turns the shortcuts off' },
  { key: 'hooks', flag: null, type: 'table', defaultText: '', description: 'shell commands run at points of each cycle; changed paths and exit codes arrive in HOT_* variables, never in the command line' },
  { key: 'hooks.pre_build', flag: null, type: 'command', defaultText: '', description: 'before each build; if it fails, the cycle stops as if the build had failed' },
  { key: 'hooks.post_build', flag: null, type: 'command', defaultText: '', description: 'after each successful build, before the restart' },
  { key: 'hooks.on_restart', flag: null, type: 'command', defaultText: '', description: 'after the program started or restarted and is ready (HOT_PID): listening, for a server; a program that has not listened within 3 s of its first start (a worker) is not waited for again' },
  { key: 'hooks.on_crash', flag: null, type: 'command', defaultText: '', description: 'when the program crashed (HOT_EXIT_CODE, HOT_SIGNAL, HOT_PID)' },
  { key: 'hooks.on_exit', flag: null, type: 'command', defaultText: '', description: `when hot stops (Ctrl-C, SIGTERM, q), after the program has stopped; stopped after ${DEFAULT_ON_EXIT_TIMEOUT_MS / 1000} s, or at a second Ctrl-C (air's post_cmd)` },
  { key: 'check', flag: null, type: 'table', defaultText: '', description: 'checks that run beside the restart' },
  { key: 'check.types', flag: 'check-types', override: 'checkTypes', type: 'switch', choices: ['block'], defaultText: 'true when the project has TypeScript (a node_modules/.bin/tsc from the root up) and a tsconfig.json at the root', description: 'run the project\'s own tsc in watch mode beside hot and print its errors as they change, never delaying a restart; "block": a type error acts like a failed build (the previous version keeps running); false: off' },
  { key: 'restart', flag: null, type: 'table', defaultText: '', description: 'what happens when the program crashes' },
  { key: 'restart.backoff', flag: null, type: 'table', defaultText: '', description: 'delay before restarting a crashed program, doubling each time' },
  { key: 'restart.backoff.initial', flag: null, type: 'ms', defaultText: String(DEFAULT_BACKOFF_INITIAL_MS), description: 'first delay in milliseconds' },
  { key: 'restart.backoff.max', flag: null, type: 'ms', defaultText: String(DEFAULT_BACKOFF_MAX_MS), description: 'longest delay in milliseconds' },
  { key: 'restart.max_restarts', flag: null, type: 'count', defaultText: String(DEFAULT_MAX_RESTARTS), description: 'crashes within `window` before hot stops restarting until the next change' },
  { key: 'restart.window', flag: null, type: 'ms', defaultText: String(DEFAULT_RESTART_WINDOW_MS), description: 'milliseconds over which crashes are counted' },
  { key: 'restart.on_clean_exit', flag: null, type: 'choice', choices: ['wait', 'restart'], defaultText: 'wait', description: 'when the program exits with code 0 on its own: "wait" for the next change, or "restart" it after clean_exit_delay (air\'s rerun)' },
  { key: 'restart.clean_exit_delay', flag: null, type: 'ms', defaultText: String(DEFAULT_CLEAN_EXIT_DELAY_MS), description: 'with on_clean_exit = "restart": milliseconds before the program starts again (air\'s rerun_delay)' },
  { key: 'serve', flag: null, type: 'table', defaultText: '', description: 'zero-downtime restarts for a program that serves a port' },
  { key: 'serve.port', flag: 'port', override: 'port', type: 'port', defaultText: '', description: 'the public port: hot owns it and hands connections to the current version of the program' },
  { key: 'serve.listen', flag: null, type: 'listeners', defaultText: '', description: 'the sockets hot opens once and hands to every version as fds 3, 4, … (systemd\'s LISTEN_FDS, LISTEN_FDNAMES, LISTEN_PID), for a program that listens on several ports, e.g. [{ port = 8080, name = "http" }, { port = 8443, name = "https" }]; implies strategy = "socket"' },
  { key: 'serve.host', flag: null, type: 'string', defaultText: 'localhost', description: 'address of the public port (localhost = 127.0.0.1 and ::1)' },
  { key: 'serve.allowed_hosts', flag: null, type: 'hosts', defaultText: '[]', description: 'names the http proxy answers to besides localhost (and its subdomains), IP addresses and serve.host; requests for other names get a 403, against DNS rebinding. ".example.test" takes that name and its subdomains; true takes any name' },
  { key: 'serve.strategy', flag: null, type: 'choice', choices: ['proxy', 'socket', 'restart'], defaultText: 'proxy when serve.port is set', description: '"proxy": start the new version beside the old and switch when it listens; "socket": hand the listening socket itself (or the serve.listen sockets) to each version (no proxy hop); "restart": stop, then start' },
  { key: 'serve.proxy', flag: null, type: 'choice', choices: ['http', 'tcp'], defaultText: 'http', description: '"http" keeps client connections across restarts; "tcp" forwards bytes (TLS, gRPC, raw TCP)' },
  { key: 'serve.live_reload', flag: null, type: 'boolean', defaultText: 'false', description: 'reload open browser pages when a new version is ready, and show build errors over the page (the http proxy adds a small script to HTML pages); without serve.port, for a Node program, the proxy takes the port of its first HTTP server and the program listens behind it' },
  { key: 'serve.ready_pattern', flag: null, type: 'pattern', defaultText: '', description: 'with strategy = "socket", a regular expression on the program\'s stdout or stderr that means it is ready (for programs that are not Node; the systemd notify protocol, READY=1 to $NOTIFY_SOCKET, works too; with neither, a version that has run 500 ms counts as ready)' },
  { key: 'serve.ready_timeout', flag: null, type: 'ms', defaultText: `${DEFAULT_READY_TIMEOUT_MS}; ${DEFAULT_HOLD_READY_TIMEOUT_MS} without serve.port`, description: 'milliseconds a new version has to listen on its PORT (without serve.port: on the ports the old one listens on); requests wait this long too' },
  { key: 'serve.drain_timeout', flag: null, type: 'ms', defaultText: `${DEFAULT_DRAIN_TIMEOUT_MS}; without serve.port, run.kill_timeout`, description: 'milliseconds the old version may finish in-flight requests before the kill path' },
  { key: 'serve.hold', flag: null, type: 'boolean', defaultText: 'true for a Node program without serve.port', description: 'hold the TCP ports a Node program listens on and hand them to each new version, which starts beside the old one: no refused connection, no EADDRINUSE; false: stop, then start' },
  { key: null, flag: 'config', shortFlag: 'c', type: 'string', defaultText: CONFIG_FILE_NAME, description: 'path to the config file' },
  { key: null, flag: 'filter', type: 'string-list', defaultText: 'every package with a .hotrc.toml', description: 'at a workspace root: run this package (a name or glob) and the workspace packages it depends on' },
  { key: null, flag: 'json', type: 'boolean', defaultText: 'false', description: "write one JSON object per event (change, build-ok, ready, crash, …) to stdout; hot's log and the program's output go to stderr" },
  { key: null, flag: 'verbose', type: 'boolean', defaultText: 'false', description: 'log every event' },
  { key: null, flag: 'quiet', type: 'boolean', defaultText: 'false', description: 'log errors only' },
  { key: null, flag: 'debug', type: 'boolean', defaultText: 'false', description: 'log every event and show stack traces' },
] as const satisfies readonly SettingSpec[];

export const SETTINGS: readonly SettingSpec[] = SETTING_ROWS;

export const FILE_SETTINGS = SETTINGS.filter((s): s is SettingSpec & { key: string } => s.key !== null);

export type Command = { kind: 'argv'; argv: string[] } | { kind: 'shell'; line: string };

/** A config as the user wrote it, validated and converted to hot's units, every field optional. */
export interface UserConfig {
  include?: string[];
  exclude?: string[];
  delayMs?: number;
  bin?: Command;
  gitignore?: boolean;
  poll?: boolean;
  clear?: boolean;
  logFile?: string;
  stdin?: 'hot' | 'child';
  hooks?: {
    preBuild?: Command;
    postBuild?: Command;
    onRestart?: Command;
    onCrash?: Command;
    onExit?: Command;
  };
  build?: {
    cmd?: Command;
    env?: Record<string, string>;
    entry?: string;
    outfile?: string;
    output?: string;
  };
  run?: {
    cwd?: string;
    args?: string[];
    launcher?: Command;
    env?: Record<string, string>;
    envFile?: string[];
    killSignal?: NodeJS.Signals;
    killTimeoutMs?: number;
    stopOnError?: boolean;
    standby?: boolean;
  };
  check?: {
    types?: boolean | 'block';
  };
  restart?: {
    backoffInitialMs?: number;
    backoffMaxMs?: number;
    maxRestarts?: number;
    windowMs?: number;
    onCleanExit?: 'wait' | 'restart';
    cleanExitDelayMs?: number;
  };
  serve?: {
    port?: number;
    listen?: ListenerSpec[];
    host?: string;
    strategy?: 'proxy' | 'socket' | 'restart';
    readyPattern?: string;
    proxy?: 'http' | 'tcp';
    liveReload?: boolean;
    allowedHosts?: string[] | true;
    readyTimeoutMs?: number;
    drainTimeoutMs?: number;
    hold?: boolean;
  };
}

export type { ResolvedWatch, CacheDir, ResolvedBuild, ResolvedRun, ResolvedRestart, ResolvedServe, ResolvedHooks, ResolvedTerminal, ResolvedCheck, ResolvedConfig } from './resolved.js';

type OverrideRow = Extract<(typeof SETTING_ROWS)[number], { override: string }>;

/**
 * Settings given on the command line; they override the file. One field per row of the table with
 * an `override`, typed by that row's type, plus the positional forms of what to run.
 */
export type CliOverrides = { [Row in OverrideRow as Row['override']]?: ValueOfType[Row['type']] } & {
  /** `hot src/server.ts`: run this entry in place, behind the esbuild build's gate. */
  entry?: string;
  /** `hot -- node server.js`: run this command. */
  command?: string[];
  /** Found by entry detection, never a flag: the framework CLI that loads the entry (`fastify start -l info`). */
  launcher?: string[];
};
