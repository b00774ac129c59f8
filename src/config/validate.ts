import { ConfigError } from '../errors.js';
import { convert, isTable } from './convert-value.js';
import { AIR_TABLES, airKeyHint } from './air-keys.js';
import { closestMatch } from './did-you-mean.js';
import { FILE_SETTINGS, type Command, type UserConfig } from './schema.js';
import { findKeyLine } from './source-position.js';

const SPEC_BY_KEY = new Map(FILE_SETTINGS.map((spec) => [spec.key, spec]));

export interface ValidationContext {
  /** Path shown in messages, e.g. `.hotrc.toml`. */
  displayFile: string;
  source: string;
}

interface Problem {
  key: string;
  message: string;
}

/**
 * Checks a parsed TOML document against the settings table and converts it to hot's units.
 * Every problem is reported at once, each as `file:line: key must be …, got …`.
 */
export function validateUserConfig(document: Record<string, unknown>, context: ValidationContext): UserConfig {
  const problems: Problem[] = [];
  const values = new Map<string, unknown>();
  collect(document, '', values, problems);
  if (problems.length === 0) checkCombinations(values, problems);
  if (problems.length > 0) throw toConfigError(problems, context);
  return toUserConfig(values);
}

function collect(table: Record<string, unknown>, prefix: string, values: Map<string, unknown>, problems: Problem[]): void {
  for (const [name, raw] of Object.entries(table)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const spec = SPEC_BY_KEY.get(key);
    if (!spec && !prefix && AIR_TABLES.has(name) && isTable(raw)) {
      // [screen], [misc], …: answered key by key, each with its own line.
      for (const inner of Object.keys(raw)) problems.push({ key: `${key}.${inner}`, message: `unknown key "${key}.${inner}": ${airKeyHint(`${key}.${inner}`)}` });
      continue;
    }
    if (!spec) {
      problems.push({ key, message: unknownKeyMessage(key, prefix, name) });
      continue;
    }
    if (spec.type === 'table') {
      if (!isTable(raw)) problems.push({ key, message: `${key} must be a table (a [${key}] section or { … }), got ${describe(raw)}` });
      else collect(raw, key, values, problems);
      continue;
    }
    const checked = convert(spec, raw);
    if (checked.ok) values.set(key, checked.value);
    else {
      const at = checked.at ? { key: `${key}.${checked.at.key}`, value: checked.at.value } : { key, value: raw };
      problems.push({ key: at.key, message: `${at.key} must be ${checked.expected}, got ${describe(at.value)}` });
    }
  }
}

function unknownKeyMessage(key: string, prefix: string, name: string): string {
  const air = airKeyHint(key);
  if (air) return `unknown key "${key}": ${air}`;
  const siblings = FILE_SETTINGS.filter((s) => parentOf(s.key) === prefix).map((s) => lastPart(s.key));
  const nearby = closestMatch(name, siblings);
  if (nearby) return `unknown key "${key}", did you mean "${prefix ? `${prefix}.` : ''}${nearby}"?`;
  const elsewhere = FILE_SETTINGS.find((s) => lastPart(s.key) === name || closestMatch(name, [lastPart(s.key)]));
  if (elsewhere) {
    const parent = parentOf(elsewhere.key);
    const place = parent ? `in the [${parent}] table` : 'at the top of the file';
    return `unknown key "${key}": "${lastPart(elsewhere.key)}" belongs ${place} (${elsewhere.key})`;
  }
  const known = siblings.join(', ');
  return `unknown key "${key}"; known keys here: ${known}`;
}

function checkCombinations(values: Map<string, unknown>, problems: Problem[]): void {
  if (values.has('build.cmd') && values.has('build.entry')) {
    problems.push({ key: 'build.entry', message: 'build.cmd and build.entry are two ways to build: keep one (cmd runs a command, entry bundles with esbuild)' });
  }
  if (values.has('build.outfile') && !values.has('build.entry')) {
    problems.push({ key: 'build.outfile', message: 'build.outfile needs build.entry (the file esbuild bundles)' });
  }
  if (values.has('build.env') && !values.has('build.cmd')) {
    problems.push({ key: 'build.env', message: 'build.env is the environment of build.cmd: set build.cmd, or put the variables under [run] env for the program' });
  }
  if (values.has('restart.clean_exit_delay') && values.get('restart.on_clean_exit') !== 'restart') {
    problems.push({ key: 'restart.clean_exit_delay', message: 'restart.clean_exit_delay is for on_clean_exit = "restart" (by default hot waits for a change after a clean exit)' });
  }
  if (values.has('build.output') && values.has('build.entry')) {
    problems.push({ key: 'build.output', message: 'build.output is for build.cmd; with build.entry write build.outfile instead' });
  }
  checkLauncher(values, problems);
  const listen = values.has('serve.listen');
  const strategy = values.get('serve.strategy') ?? (listen ? 'socket' : undefined);
  if (listen && values.has('serve.port')) {
    problems.push({ key: 'serve.listen', message: 'serve.port and serve.listen are two ways to name the ports: keep one (listen = [{ port = 8080, name = "http" }] for one or more sockets handed to the program)' });
  } else if (listen && strategy !== 'socket') {
    problems.push({ key: 'serve.listen', message: `serve.listen hands the sockets to the program (strategy = "socket"); strategy = "${String(strategy)}" takes one port: serve.port` });
  } else if ((strategy === 'proxy' || strategy === 'socket') && !values.has('serve.port') && !listen) {
    problems.push({ key: 'serve.strategy', message: `serve.strategy = "${String(strategy)}" needs serve.port, the public port hot listens on` });
  }
  if (values.has('serve.ready_pattern') && strategy !== 'socket') {
    problems.push({ key: 'serve.ready_pattern', message: 'serve.ready_pattern is for strategy = "socket" (the proxy sees when the program listens by itself)' });
  }
  // Without a port, a Node program's held sockets can have the proxy too (resolve checks it is Node).
  const noProxy = strategy === 'socket' || strategy === 'restart' || values.get('serve.proxy') === 'tcp' || (!values.has('serve.port') && values.get('serve.hold') === false);
  if (values.get('serve.live_reload') === true && noProxy) {
    problems.push({ key: 'serve.live_reload', message: 'serve.live_reload needs the http proxy: set serve.port (and keep strategy = "proxy", proxy = "http"), or leave hold on for a Node program' });
  }
  if (values.has('serve.allowed_hosts') && (noProxy || (!values.has('serve.port') && values.get('serve.live_reload') !== true))) {
    problems.push({ key: 'serve.allowed_hosts', message: 'serve.allowed_hosts is checked by the http proxy: keep strategy = "proxy" and proxy = "http" (other strategies never read the Host header)' });
  }
  if (values.get('serve.hold') === true && (values.has('serve.port') || listen || strategy !== undefined)) {
    problems.push({ key: 'serve.hold', message: 'serve.hold is for programs without serve.port: with a port, hot owns it already (leave hold out, or remove port and strategy)' });
  }
  const initial = (values.get('restart.backoff.initial') as number | undefined) ?? undefined;
  const max = (values.get('restart.backoff.max') as number | undefined) ?? undefined;
  if (initial !== undefined && max !== undefined && initial > max) {
    problems.push({ key: 'restart.backoff', message: `restart.backoff.initial (${initial}) must not be larger than restart.backoff.max (${max})` });
  }
}

function checkLauncher(values: Map<string, unknown>, problems: Problem[]): void {
  const launcher = values.get('run.launcher') as Command | undefined;
  if (launcher === undefined) return;
  if (!values.has('build.entry')) problems.push({ key: 'run.launcher', message: 'run.launcher needs build.entry (the file the launcher loads)' });
  if (values.has('bin')) problems.push({ key: 'run.launcher', message: 'bin and run.launcher are two ways to run: keep one (bin runs a command as written, launcher loads build.entry)' });
  if (launcher.kind === 'shell') {
    problems.push({ key: 'run.launcher', message: `run.launcher must be a program from node_modules/.bin and its arguments, without shell syntax, got "${launcher.line}"` });
  }
}

function toUserConfig(values: Map<string, unknown>): UserConfig {
  const get = <T>(key: string): T | undefined => values.get(key) as T | undefined;
  const config: UserConfig = {
    include: get('include'),
    exclude: get('exclude'),
    delayMs: get('delay'),
    bin: get('bin'),
    gitignore: get('gitignore'),
    poll: get('poll'),
    clear: get('clear'),
    logFile: get('log_file'),
    stdin: get('stdin'),
    hooks: { preBuild: get('hooks.pre_build'), postBuild: get('hooks.post_build'), onRestart: get('hooks.on_restart'), onCrash: get('hooks.on_crash'), onExit: get('hooks.on_exit') },
    build: { cmd: get('build.cmd'), env: get('build.env'), entry: get('build.entry'), outfile: get('build.outfile'), output: get('build.output') },
    run: {
      cwd: get('run.cwd'),
      args: get('run.args'),
      launcher: get('run.launcher'),
      env: get('run.env'),
      envFile: get('run.env_file'),
      killSignal: get('run.kill_signal'),
      killTimeoutMs: get('run.kill_timeout'),
      stopOnError: get('run.stop_on_error'),
      standby: get('run.standby'),
    },
    check: { types: get('check.types') },
    restart: {
      backoffInitialMs: get('restart.backoff.initial'),
      backoffMaxMs: get('restart.backoff.max'),
      maxRestarts: get('restart.max_restarts'),
      windowMs: get('restart.window'),
      onCleanExit: get('restart.on_clean_exit'),
      cleanExitDelayMs: get('restart.clean_exit_delay'),
    },
    serve: {
      port: get('serve.port'),
      listen: get('serve.listen'),
      host: get('serve.host'),
      strategy: get('serve.strategy'),
      readyPattern: get('serve.ready_pattern'),
      proxy: get('serve.proxy'),
      liveReload: get('serve.live_reload'),
      allowedHosts: get('serve.allowed_hosts'),
      readyTimeoutMs: get('serve.ready_timeout'),
      drainTimeoutMs: get('serve.drain_timeout'),
      hold: get('serve.hold'),
    },
  };
  return config;
}

function toConfigError(problems: Problem[], context: ValidationContext): ConfigError {
  const lines = problems.map((problem) => {
    const line = findKeyLine(context.source, problem.key);
    return `${context.displayFile}${line ? `:${line}` : ''}: ${problem.message}`;
  });
  const firstLine = findKeyLine(context.source, problems[0]!.key);
  return new ConfigError(lines.join('\n'), {
    location: { file: context.displayFile, ...(firstLine ? { line: firstLine } : {}) },
  });
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)} (${typeof value})`;
  if (Array.isArray(value)) return `${shorten(JSON.stringify(value))} (array)`;
  if (value instanceof Date) return `${value.toISOString()} (date)`;
  if (isTable(value)) return '{ … } (table)';
  return String(value);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function parentOf(key: string): string {
  const index = key.lastIndexOf('.');
  return index === -1 ? '' : key.slice(0, index);
}

function lastPart(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

/** Converts one CLI flag's value like the file's key of the same setting; a bad value is a ConfigError. */
export function convertFlagValue(flag: string, raw: unknown): unknown {
  const spec = FILE_SETTINGS.find((s) => s.flag === flag);
  if (!spec) throw new Error(`no setting has the flag --${flag}`);
  const last = Array.isArray(raw) && spec.type !== 'string-list' ? raw[raw.length - 1] : raw;
  // `--check-types false` arrives as a string; the file's true and false are booleans.
  const values = spec.type === 'switch' && (last === 'true' || last === 'false') ? last === 'true' : last;
  const checked = convert(spec, spec.type === 'string-list' && Array.isArray(values) ? values.map(String) : values);
  if (!checked.ok) throw new ConfigError(`--${flag} must be ${checked.expected}, got ${describe(values)}`);
  return checked.value;
}
