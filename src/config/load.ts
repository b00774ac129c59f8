import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { locateCacheDir } from './cache-dir.js';
import { findProjectEnvFiles } from './project-env-files.js';
import { listenHint } from './detect-entry.js';
import { resolveConfig } from './resolve.js';
import { findTypeScriptProject } from './typescript-project.js';
import { CONFIG_FILE_NAME, type CliOverrides, type ResolvedConfig, type UserConfig } from './schema.js';
import { codeFrame } from './source-position.js';
import { validateUserConfig } from './validate.js';

export interface LoadOptions {
  cwd: string;
  /** `--config`: must exist. Without it, `.hotrc.toml` in cwd is used when present. */
  configPath?: string;
  overrides: CliOverrides;
  /**
   * A monorepo package: the root's .hotrc.toml (if any) whose settings the package's file extends,
   * and a package that only builds (no bin, a build command) is allowed.
   */
  workspace?: { root: string; baseConfigFile: string | null; packageNames: readonly string[] };
  /**
   * A workspace package run alone (hot in its directory): the workspace's package names, which the
   * esbuild check compiles, and the source files of the ones it depends on, which it watches.
   */
  internalPackages?: { names: readonly string[]; sourceFiles: readonly string[] };
  /** Where entry detection looked and found nothing: named in the "nothing to run" message. */
  lookedFor?: readonly string[];
  /** Without a config file: the settings of the project kind detected (a Go module). */
  project?: UserConfig;
}

/** Finds, reads, parses, validates and resolves the config; every user mistake is a ConfigError. */
export function loadConfig(options: LoadOptions): ResolvedConfig {
  const configFile = locateConfigFile(options);
  const displayFile = configFile ? displayPath(configFile, options.cwd) : '(command line)';
  const baseConfigFile = options.workspace?.baseConfigFile ?? null;
  const own = configFile ? readUserConfig(configFile, displayFile) : zeroConfig(options);
  const user = baseConfigFile ? extendUserConfig(sharedPart(readUserConfig(baseConfigFile, displayPath(baseConfigFile, options.cwd)), baseConfigFile), own) : own;
  if (!configFile && !options.overrides.entry && !options.overrides.command?.length && !own.bin) {
    const looked = options.lookedFor?.length ? `; looked for an entry in ${options.lookedFor.join('; ')}` : '';
    throw new ConfigError(`no ${CONFIG_FILE_NAME} in ${displayPath(options.cwd, process.cwd()) || '.'} and nothing to run${looked}`, {
      hint: 'run `hot init` to write one, or `hot src/server.ts` to bundle and run a file, or `hot -- node server.js` to restart a command',
    });
  }
  const root = configFile ? path.dirname(configFile) : options.cwd;
  const cache = locateCacheDir(root, options.workspace?.root ?? null);
  const resolved = resolveConfig({
    user,
    configFile,
    cwd: options.cwd,
    overrides: options.overrides,
    cacheDir: cache.dir,
    privateCacheBase: cache.privateBase,
    displayFile,
    baseConfigFile,
    workspaceMember: options.workspace !== undefined,
    bundlePackages: options.workspace?.packageNames ?? options.internalPackages?.names ?? [],
    internalSources: options.internalPackages?.sourceFiles ?? [],
    typescript: findTypeScriptProject(root),
  });
  checkPaths(resolved, options.cwd, displayFile);
  // A launcher (`fastify start`) listens for the entry it loads.
  return options.overrides.launcher || user.run?.launcher ? resolved : withListenHint(resolved, root);
}

/** An entry run in place that never listens, beside one that does: the hint travels with the config to the report. */
function withListenHint(config: ResolvedConfig, root: string): ResolvedConfig {
  const { build } = config;
  const { command } = config.run;
  // Only when hot runs the entry itself: a bin of the user's own is theirs to judge.
  if (build.kind !== 'esbuild' || command?.kind !== 'argv' || !command.argv.includes(build.entry)) return config;
  const hint = listenHint(root, build.entry);
  return hint === null ? config : Object.freeze({ ...config, listenHint: hint });
}

/**
 * Without a config file, what the project itself says: its `.env` and the env files its dev script
 * gives node. A config file keeps env_file explicit; a workspace package has its root's settings.
 */
function zeroConfig({ cwd, workspace, project = {} }: LoadOptions): UserConfig {
  if (workspace) return {};
  const envFile = findProjectEnvFiles(cwd);
  return envFile.length > 0 ? extendUserConfig(project, { run: { envFile } }) : project;
}

/**
 * A package's settings over the root's: a key set in the package wins; [run], [run.env], [restart] and
 * [serve] merge key by key; [build] is the package's own when it has one, since its keys go together.
 */
export function extendUserConfig(base: UserConfig, own: UserConfig): UserConfig {
  const merged: UserConfig = { ...base, ...definedOnly(own) };
  if (base.run || own.run) {
    merged.run = { ...base.run, ...definedOnly(own.run) };
    if (base.run?.env || own.run?.env) merged.run.env = { ...base.run?.env, ...own.run?.env };
  }
  if (base.restart || own.restart) merged.restart = { ...base.restart, ...definedOnly(own.restart) };
  if (base.serve || own.serve) merged.serve = { ...base.serve, ...definedOnly(own.serve) };
  if (base.check || own.check) merged.check = { ...base.check, ...definedOnly(own.check) };
  if (base.hooks || own.hooks) merged.hooks = { ...base.hooks, ...definedOnly(own.hooks) };
  if (own.build && Object.values(own.build).every((value) => value === undefined)) merged.build = base.build;
  return merged;
}

/**
 * What a monorepo root's config gives its packages: the program-specific keys (bin, [build],
 * run.cwd, run.args, run.launcher) stay with the root, and env files resolve against the root's own directory.
 */
function sharedPart(base: UserConfig, baseConfigFile: string): UserConfig {
  const { bin: _bin, build: _build, ...shared } = base;
  if (!base.run) return shared;
  const { cwd: _cwd, args: _args, launcher: _launcher, ...run } = base.run;
  const dir = path.dirname(baseConfigFile);
  return { ...shared, run: { ...run, ...(run.envFile ? { envFile: run.envFile.map((file) => path.resolve(dir, file)) } : {}) } };
}

/** The keys that hold a value: validation leaves the others present but undefined. */
function definedOnly<T extends object>(table: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(table ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function locateConfigFile({ cwd, configPath }: LoadOptions): string | null {
  if (configPath !== undefined) {
    const file = path.resolve(cwd, configPath);
    if (!existsSync(file)) {
      throw new ConfigError(`config file not found: ${configPath}`, { hint: 'check the --config path, or run `hot init` to write a .hotrc.toml' });
    }
    if (statSync(file).isDirectory()) {
      const inside = path.join(file, CONFIG_FILE_NAME);
      if (existsSync(inside)) return inside;
      throw new ConfigError(`--config ${configPath} is a directory without a ${CONFIG_FILE_NAME}`);
    }
    return file;
  }
  const candidate = path.join(cwd, CONFIG_FILE_NAME);
  return existsSync(candidate) ? candidate : null;
}

/** Reads and validates one config file without resolving it. */
export function readUserConfig(file: string, displayFile: string): UserConfig {
  let source: string;
  try {
    // A named pipe (or a device) would block hot until something writes to it.
    if (!statSync(file).isFile()) throw new ConfigError(`${displayFile} is not a regular file`, { hint: 'hot reads its config from a plain file; a named pipe or a device would block it' });
    source = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read ${displayFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  let document: Record<string, unknown>;
  try {
    document = parseToml(source) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) throw tomlSyntaxError(error, source, displayFile);
    throw error;
  }
  return validateUserConfig(document, { displayFile, source });
}

function tomlSyntaxError(error: TomlError, source: string, displayFile: string): ConfigError {
  const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document:\s*/, '');
  const frame = codeFrame(source, error.line, error.column);
  return new ConfigError(`${displayFile}:${error.line}:${error.column}: invalid TOML: ${reason}\n${frame}`, {
    location: { file: displayFile, line: error.line, column: error.column, frame },
    cause: error,
  });
}

function checkPaths(config: ResolvedConfig, cwd: string, displayFile: string): void {
  const { build, run } = config;
  if (build.kind === 'esbuild' && !existsSync(build.entry)) {
    const shown = displayPath(build.entry, cwd);
    throw new ConfigError(config.configFile ? `${displayFile}: build.entry ${shown} does not exist` : `${shown} is not a file nor a hot command`, {
      hint: config.configFile ? 'fix build.entry to point at your program\'s entry file' : 'commands: `hot dev`, `hot init`; or give an existing entry file, e.g. `hot src/server.ts`',
    });
  }
  if (!existsSync(run.cwd)) {
    throw new ConfigError(`${displayFile}: run.cwd ${displayPath(run.cwd, cwd)} does not exist`);
  }
}

export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  if (relative === '') return '.';
  return relative.startsWith('..') && path.isAbsolute(file) && relative.split(path.sep).filter((p) => p === '..').length > 2 ? file : relative;
}
