/**
 * What a package.json script runs, read as text: `tsx watch src/server.ts` runs src/server.ts,
 * `nest start` runs what nest-cli.json names. Pure: no file is read here.
 */

/**
 * The file a script runs (as written, maybe without an extension), or Nest's CLI, or bare nodemon (its
 * config names the file). `launcher`: the framework CLI that loads the file and listens
 * (`fastify start -l info`), with the flags kept for a run under hot; the file itself is left out.
 */
export type ScriptTarget = { kind: 'file'; file: string; launcher?: string[] } | { kind: 'nest' } | { kind: 'nodemon' };

/** Runners whose first positional argument is the program's entry file. */
const FILE_RUNNERS = new Set(['node', 'tsx', 'ts-node', 'ts-node-esm', 'ts-node-dev', 'tsnd', 'nodemon', 'esno', 'babel-node', 'swc-node']);

/** Wrappers that run the rest of the line as a command: `cross-env X=1 tsx a.ts`, `npx tsx a.ts`. */
const WRAPPERS = new Set(['cross-env', 'npx', 'env', 'exec']);

/** Flags that take the next word as their value, per runner family, so the value is not taken for the entry. */
const VALUE_FLAGS: Record<string, ReadonlySet<string>> = {
  node: new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--watch-path', '--conditions', '-C', '--title', '--input-type']),
  ts: new Set(['-r', '--require', '--import', '-P', '--project', '-C', '--compiler', '--ignore', '--ignore-watch', '--watch', '--cwd', '--env-file', '--tsconfig', '--loader']),
  nodemon: new Set(['-r', '--require', '--import', '-w', '--watch', '-e', '--ext', '-i', '--ignore', '-x', '--exec', '-d', '--delay', '--signal', '--config', '--env-file', '-V']),
  // fastify-cli's args.js: its options of type string.
  fastify: new Set([
    ...['-p', '--port', '--inspect-port', '--body-limit', '-T', '--plugin-timeout', '-g', '--close-grace-delay', '--trust-proxy-hop', '-l', '--log-level'],
    ...['-a', '--address', '-s', '--socket', '-x', '--prefix', '--ignore-watch', '-L', '--logging-module', '--debug-host', '--lang', '-r', '--require'],
    ...['-i', '--import', '-c', '--config', '--method', '--trust-proxy-ips', '--follow-watch', '-I', '--debug-port'],
  ]),
};

/** fastify start's own watcher and pretty printer: hot watches and restarts, so a run under hot drops them. */
const FASTIFY_DROPPED = new Set(['-w', '--watch', '-V', '--verbose-watch', '--ignore-watch', '--follow-watch', '-P', '--pretty-logs']);

/** The file (or Nest) a script line runs, or null when it runs something else (a build, a framework hot doesn't know). */
export function scriptTarget(script: string): ScriptTarget | null {
  // `tsc && node dist/server.js`, `npm run build; node x.js`: the last command that runs something wins.
  const commands = script.split(/&&|\|\||;|\|/).reverse();
  for (const command of commands) {
    const target = commandTarget(words(command));
    if (target) return target;
  }
  return null;
}

/** Splits a command into words, dropping the quotes around one. */
export function words(command: string): string[] {
  return (command.match(/"[^"]*"|'[^']*'|[^\s"']+/g) ?? []).map((word) => word.replace(/^(["'])(.*)\1$/, '$2'));
}

function commandTarget(all: string[]): ScriptTarget | null {
  let index = 0;
  // Environment assignments and wrappers before the runner: `NODE_ENV=dev cross-env X=1 npx tsx`.
  while (index < all.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(all[index]!) || WRAPPERS.has(all[index]!) || all[index]!.startsWith('-'))) index += 1;
  const runner = all[index]?.split('/').pop()?.replace(/\.(cmd|exe)$/, '');
  if (runner === undefined) return null;
  const rest = all.slice(index + 1);
  if (runner === 'nest') return rest[0] === 'start' ? { kind: 'nest' } : null;
  if (runner === 'fastify') return rest[0] === 'start' ? fastifyStart(rest.slice(1)) : null;
  if (!FILE_RUNNERS.has(runner)) return null;
  if (runner === 'nodemon') {
    // nodemon --exec "ts-node src/x.ts": the exec'd command names the file.
    const exec = rest.findIndex((word) => word === '--exec' || word === '-x');
    const inner = exec >= 0 && rest[exec + 1] !== undefined ? scriptTarget(rest[exec + 1]!) : null;
    // Bare `nodemon`: what it runs is in nodemon.json (or package.json main).
    return inner ?? fileArgument(rest, VALUE_FLAGS.nodemon!) ?? { kind: 'nodemon' };
  }
  if (runner === 'node') return fileArgument(rest, VALUE_FLAGS.node!);
  // `tsx watch src/x.ts`, `tsx --env-file .env watch x.ts`: watch is tsx's subcommand, not the file.
  return fileArgument(rest, VALUE_FLAGS.ts!, runner === 'tsx' ? 'watch' : null);
}

/** The first word that is neither a flag nor a flag's value; `--` ends the runner's flags. */
function fileArgument(args: string[], valueFlags: ReadonlySet<string>, subcommand: string | null = null): ScriptTarget | null {
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index]!;
    if (word === '--') return args[index + 1] !== undefined ? { kind: 'file', file: args[index + 1]! } : null;
    if (word.startsWith('-')) {
      if (valueFlags.has(word)) index += 1;
      continue;
    }
    if (word === subcommand) {
      subcommand = null;
      continue;
    }
    return { kind: 'file', file: word };
  }
  return null;
}

/**
 * `fastify start [options] file [-- plugin options]`: the file, and `fastify start` with the options
 * that still make sense under hot (the log level, the port, `--` and what follows it).
 */
function fastifyStart(args: string[]): ScriptTarget | null {
  const kept = ['fastify', 'start'];
  let file: string | null = null;
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index]!;
    if (word === '--') {
      kept.push(...args.slice(index));
      break;
    }
    const flag = word.split('=')[0]!;
    const takesValue = VALUE_FLAGS.fastify!.has(word);
    if (FASTIFY_DROPPED.has(flag)) {
      if (takesValue) index += 1;
      continue;
    }
    if (word.startsWith('-')) {
      kept.push(...args.slice(index, takesValue ? index + 2 : index + 1));
      if (takesValue) index += 1;
      continue;
    }
    if (file === null) file = word;
    else kept.push(word);
  }
  return file === null ? null : { kind: 'file', file, launcher: kept };
}

/** The package.json script a command runs by name (`npm run start:dev`, `yarn dev`, `pnpm run dev`), or null. */
export function scriptNamed(script: string): string | null {
  for (const command of script.split(/&&|\|\||;|\|/).reverse()) {
    const [tool, ...rest] = words(command);
    if (tool !== 'npm' && tool !== 'yarn' && tool !== 'pnpm' && tool !== 'bun') continue;
    const args = rest.filter((word) => !word.startsWith('-'));
    const named = args[0] === 'run' || args[0] === 'run-script' ? args[1] : tool === 'npm' || tool === 'bun' ? null : args[0];
    if (named !== undefined && named !== null) return named;
  }
  return null;
}
