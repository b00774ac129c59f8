import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/** The package that installs a launcher's command, for the hint when it is missing. */
const PACKAGE_OF: Record<string, string> = { fastify: 'fastify-cli' };

/**
 * A launcher (`fastify start -l info`) as node arguments: its command's script from the project's
 * node_modules/.bin (as npm scripts find it, walking up to a workspace root), then its arguments
 * with the entry as the file, before a `--` that starts the app's own options. Node runs the script,
 * so the TypeScript loader given to node is the loader of everything the launcher loads.
 */
export function launcherArguments(root: string, launcher: readonly string[], entry: string, from: string): string[] {
  const [command, ...args] = launcher;
  if (command === undefined) throw new ConfigError(`${from}: run.launcher is empty`, { hint: 'name a command from node_modules/.bin, e.g. launcher = "fastify start -l info"' });
  const script = findBinScript(root, command);
  if (script === null) {
    const pkg = PACKAGE_OF[command];
    const missing = `no node_modules/.bin/${command}`;
    throw pkg
      ? new ConfigError(`${[command, ...args.slice(0, 1)].join(' ')} needs ${pkg}, which is not installed here (${missing})`, { hint: `npm i -D ${pkg}` })
      : new ConfigError(`${from}: run.launcher ${command} is not installed here (${missing})`, { hint: `install the package that provides ${command} (npm i -D <package>)` });
  }
  if (!isNodeScript(script)) {
    throw new ConfigError(`${from}: run.launcher ${command} is not a Node program (${path.relative(root, script)})`, { hint: 'a launcher is a Node CLI that loads build.entry; use bin for other programs' });
  }
  const split = args.indexOf('--');
  const own = split === -1 ? args : args.slice(0, split);
  const rest = split === -1 ? [] : args.slice(split);
  return [script, ...own, entry, ...rest];
}

/** The file node_modules/.bin/<command> links to, nearest first, or null. */
function findBinScript(root: string, command: string): string | null {
  if (command.includes('/') || command.includes('\\')) return null;
  for (let dir = root; ; dir = path.dirname(dir)) {
    try {
      return realpathSync(path.join(dir, 'node_modules', '.bin', command));
    } catch {
      // Not installed at this level (ENOENT), or a dangling link: look one directory up.
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** A JavaScript file, or a script whose `#!` line runs node. */
function isNodeScript(file: string): boolean {
  if (/\.(c|m)?js$/.test(file)) return true;
  const head = Buffer.alloc(128);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const read = readSync(fd, head, 0, head.length, 0);
    return /^#!.*\bnode\b/.test(head.subarray(0, read).toString('utf8').split('\n')[0] ?? '');
  } catch {
    // Unreadable: not something node can run either.
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
