import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectEntry, startsProgram } from '../config/detect-entry.js';
import { detectGoModule, goDescription } from '../config/go-module.js';
import { writeGoConfig, writeNewConfig, writeStarterConfig } from '../config/init.js';
import { migrateConfig } from '../config/migrate.js';
import { CONFIG_FILE_NAME } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { printable } from '../ui/format.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { hasOwnConfig } from '../workspace/package-config.js';
import type { Workspace } from '../workspace/packages.js';
import { logLevelOf, useColor, type CliFlags } from './flags.js';
import { findWorkspace, rootConfigRunsSomething } from './workspace-root.js';

/**
 * `hot init`: a commented .hotrc.toml from the example shipped with hot, with the entry hot finds.
 * At a workspace root, one per package that runs: a root config naming an entry would make the
 * root an app and turn workspace mode off.
 */
export function runInit(flags: CliFlags & { from?: string }): void {
  const logger = createLogger({ level: logLevelOf(flags), color: useColor(flags) });
  if (flags.from !== undefined) return initFrom(String(flags.from), logger);
  const template = readFileSync(new URL('../../.hotrc.toml.example', import.meta.url), 'utf8');
  const cwd = process.cwd();
  const go = detectGoModule(cwd);
  if (go) {
    const { envFiles } = writeGoConfig(cwd, go.main);
    logger.success(`wrote .hotrc.toml for a Go module (${printable(go.reason)}): ${goDescription(go.main)}`);
    logEnvFiles(logger, envFiles);
    logger.info('run `hot` to start');
    return;
  }
  const workspace = findWorkspace(cwd);
  if (workspace) {
    initWorkspace(workspace, template, logger);
    return;
  }
  const { entry, launcher, envFiles, reason } = writeStarterConfig(cwd, template);
  const how = launcher ? `, run.launcher = "${printable(launcher)}"` : '';
  logger.success(`wrote .hotrc.toml${entry ? ` (build.entry = "${printable(entry)}"${how}, from ${printable(reason)})` : ''}`);
  logEnvFiles(logger, envFiles);
  logger.info(entry ? 'run `hot` to start' : 'set build.entry (or bin) in it, then run `hot`');
}

function logEnvFiles(logger: Logger, envFiles: readonly string[]): void {
  if (envFiles.length > 0) logger.info(`run.env_file = [${envFiles.map((file) => `"${printable(file)}"`).join(', ')}]: the program gets their variables, as with bare \`hot\``);
}

/** `hot init --from .air.toml` (or nodemon.json): that setup in hot's keys, with what has no equivalent as comments. */
function initFrom(from: string, logger: Logger): void {
  const source = path.resolve(from);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${printable(from)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { hint: 'name an .air.toml or a nodemon.json: hot init --from .air.toml' });
  }
  const migration = migrateConfig(source, text);
  const file = writeNewConfig(process.cwd(), migration.text);
  const left = migration.unconverted > 0 ? `; ${migration.unconverted} without an equivalent, kept as comments at its end` : '';
  logger.success(`wrote ${printable(path.relative(process.cwd(), file))} from ${printable(from)}: ${migration.converted} settings${left}`);
  logger.info('run `hot doctor` to check it, then `hot` to start');
}

function initWorkspace(workspace: Workspace, template: string, logger: Logger): void {
  const rel = (dir: string): string => printable(path.relative(workspace.root, dir) || '.');
  const configured: string[] = [];
  for (const pkg of workspace.packages) {
    if (hasOwnConfig(pkg)) {
      logger.info(`${rel(pkg.dir)}: has a ${CONFIG_FILE_NAME} already, left as it is`);
      configured.push(pkg.name);
      continue;
    }
    const detection = detectEntry(pkg.dir);
    if (!startsProgram(detection)) {
      logger.info(`${rel(pkg.dir)}: no entry that starts a program (a library?), no config written`);
      continue;
    }
    // Bare `hot` at the root loads no package's .env, and a package's env_file would replace the root config's.
    const { entry, launcher, reason } = writeStarterConfig(pkg.dir, template, detection, { envFiles: false });
    const how = launcher ? `, run.launcher = "${printable(launcher)}"` : '';
    logger.success(`wrote ${rel(pkg.dir)}/${CONFIG_FILE_NAME} (build.entry = "${printable(entry ?? '')}"${how}, from ${printable(reason)})`);
    configured.push(pkg.name);
  }
  if (configured.length === 0) {
    throw new ConfigError('this is a workspace root, and no package in it has an entry that starts a program', {
      hint: `run \`hot init\` inside the package hot should run, then \`hot\` here runs it (a root ${CONFIG_FILE_NAME} would run the root as one app)`,
    });
  }
  if (rootConfigRunsSomething(workspace.root)) {
    logger.warn(`the root ${CONFIG_FILE_NAME} names a program (bin or [build]), so \`hot\` here runs that and not the packages`, {
      hint: 'move bin and [build] into a package config to run the workspace',
    });
    return;
  }
  logger.info(`left the root alone: run \`hot\` here to run the workspace packages (${configured.map(printable).join(', ')})`);
}
