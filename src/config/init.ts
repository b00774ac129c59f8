import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { quote } from 'shell-quote';
import { stringify } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { detectEntry, type EntryDetection } from './detect-entry.js';
import { goConfig } from './go-module.js';
import { findProjectEnvFiles } from './project-env-files.js';
import { CONFIG_FILE_NAME } from './schema.js';

/**
 * Writes the commented starter config into `dir`, with `build.entry` pointing at the project's likely
 * entry file, `run.launcher` at the framework CLI that loads it (`fastify start`), if any, and
 * `run.env_file` at the env files hot loads without a config (`.env`, the dev script's `--env-file`),
 * so the config runs the program as bare `hot` did; not in a workspace package (`envFiles: false`),
 * where bare `hot` loads none and an env_file would replace the root config's. Never overwrites: an
 * existing file is a ConfigError.
 */
export function writeStarterConfig(dir: string, template: string, detection: EntryDetection = detectEntry(dir), { envFiles: withEnv = true } = {}): StarterConfig {
  const file = newConfigFile(dir);
  const entry = detection.entry?.file ?? null;
  const launcher = detection.entry?.launcher ? quote(detection.entry.launcher) : null;
  // stringify escapes the path as a TOML string: a `main` holding quotes or line breaks stays a value.
  let text = entry ? template.replace(/^entry = ".*"$/m, () => stringify({ entry }).trim()) : template;
  if (launcher) text = withRunSetting(text, /^# launcher = .*$/m, stringify({ launcher }).trim());
  const envFiles = withEnv ? projectEnvFiles(dir) : [];
  writeFileSync(file, withEnvFiles(text, envFiles), { flag: 'wx' });
  return { file, entry, launcher, envFiles, reason: detection.reason };
}

/** Writes the Go config into `dir` (a Go module whose main package is `main`), with the env files bare `hot` loads there; never overwrites. */
export function writeGoConfig(dir: string, main = '.'): { file: string; envFiles: string[] } {
  const envFiles = projectEnvFiles(dir);
  return { file: writeNewConfig(dir, withEnvFiles(goConfig(main), envFiles)), envFiles };
}

/** The env files hot loads in `dir` without a config, relative to it. */
function projectEnvFiles(dir: string): string[] {
  return findProjectEnvFiles(dir).map((envFile) => path.relative(dir, envFile));
}

/** `run.env_file` set to `envFiles` in place of the template's commented line (or under [run]); the text as it is when there are none. */
function withEnvFiles(text: string, envFiles: string[]): string {
  return envFiles.length === 0 ? text : withRunSetting(text, /^# env_file = \[[^\]\n]*\]/m, stringify({ env_file: envFiles }).trim());
}

/** Writes `text` as the config of `dir`; never overwrites. Returns the file written. */
export function writeNewConfig(dir: string, text: string): string {
  const file = newConfigFile(dir);
  writeFileSync(file, text, { flag: 'wx' });
  return file;
}

function newConfigFile(dir: string): string {
  const file = path.join(dir, CONFIG_FILE_NAME);
  if (existsSync(file)) {
    throw new ConfigError(`${CONFIG_FILE_NAME} already exists here, not overwriting it`, { hint: 'edit it, or delete it first to write a new one' });
  }
  return file;
}

export interface StarterConfig {
  file: string;
  entry: string | null;
  /** The launcher written, as a command line, or null. */
  launcher: string | null;
  /** The env files written under [run], relative; empty when there are none. */
  envFiles: string[];
  reason: string;
}

/** The template's commented line for a [run] setting (`placeholder`) set to `line`, or a [run] table with it at the end. */
function withRunSetting(template: string, placeholder: RegExp, line: string): string {
  if (placeholder.test(template)) return template.replace(placeholder, () => line);
  return /^\[run\]$/m.test(template) ? template.replace(/^\[run\]$/m, () => `[run]\n${line}`) : `${template.trimEnd()}\n\n[run]\n${line}\n`;
}
