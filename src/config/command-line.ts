import { parse, quote } from 'shell-quote';
import type { Command } from './schema.js';
import { findUnclosed } from './shell-syntax.js';

/**
 * Syntax shell-quote does not report as an operator but only a shell understands. A line break makes
 * a script of several commands (a TOML multi-line string): the shell runs them one after the other.
 */
const SHELL_ONLY = /`|\n|(^|\s)~/;

/**
 * A command line from the config. Plain ones ("node dist/server.js", quotes allowed) are split into
 * arguments and started directly, so signals and exit codes reach the program itself; anything that
 * needs a shell (`&&`, `$VAR`, `FOO=1 cmd`, globs, several lines) runs under `/bin/sh -c`.
 * Check it with `commandLineProblem` first: an unclosed quote is not guessed at here.
 */
export function parseCommandLine(line: string): Command {
  // A .hotrc.toml saved with CRLF keeps the \r in a multi-line string; the shell would take it as part of a word.
  const trimmed = line.replace(/\r\n?/g, '\n').trim();
  if (SHELL_ONLY.test(trimmed)) return { kind: 'shell', line: trimmed };
  let expands = false;
  let tokens: ReturnType<typeof parse>;
  try {
    // Operators, globs and comments come back as objects; variables are reported through the callback.
    tokens = parse(trimmed, () => {
      expands = true;
      return '';
    });
  } catch {
    // shell-quote's "Bad substitution" on syntax it does not know (`${a:-}}`): the shell decides.
    return { kind: 'shell', line: trimmed };
  }
  if (expands) return { kind: 'shell', line: trimmed };
  const argv = tokens.filter((token): token is string => typeof token === 'string');
  if (argv.length !== tokens.length || argv.length === 0 || argv[0]!.includes('=')) return { kind: 'shell', line: trimmed };
  return { kind: 'argv', argv };
}

/**
 * What is wrong with a command line as the shell would read it, said after "a command line …", or
 * null: an unclosed quote or substitution, or a NUL character (no program can receive one).
 */
export function commandLineProblem(line: string): string | null {
  if (line.includes('\0')) return 'without NUL characters ("\\u0000" cannot be passed to a program)';
  const unclosed = findUnclosed(line);
  return unclosed ? `whose quotes and substitutions are closed (${unclosed} is never closed)` : null;
}

/** The command with extra arguments appended; for a shell line they are quoted, never interpolated. */
export function withArguments(command: Command, args: readonly string[]): Command {
  if (args.length === 0) return command;
  if (command.kind === 'argv') return { kind: 'argv', argv: [...command.argv, ...args] };
  return { kind: 'shell', line: `${command.line} ${quote([...args])}` };
}

/** How the command reads in hot's own log lines: one line, a script's line breaks shown as ⏎. */
export function describeCommand(command: Command): string {
  return command.kind === 'shell' ? command.line.replace(/\s*\n\s*/g, ' ⏎ ') : quote(command.argv);
}

/** Programs hot can give its preload: Node itself, run directly or as the first word of a shell line. */
const NODE_NAMES = new Set(['node', 'nodejs', 'node.exe']);

/** Whether the command starts Node (`node x.js`, the run-in-place argv, `node x.js && …`): it can be given a preload. */
export function runsNode(command: Command): boolean {
  const first = command.kind === 'argv' ? command.argv[0] : /^\s*(\S+)/.exec(command.line)?.[1];
  if (first === undefined) return false;
  if (first === process.execPath) return true;
  return NODE_NAMES.has(first.slice(first.lastIndexOf('/') + 1));
}

/** Node options that take the next argument as their value when written without `=`. */
const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--env-file-if-exists', '--input-type', '--title', '--inspect-port', '--debug-port', '--experimental-default-type', '--redirect-warnings', '--disable-warning', '--stack-trace-limit', '--max-old-space-size', '--secure-heap', '--openssl-config', '--icu-data-dir', '--diagnostic-dir', '--report-dir', '--report-directory', '--report-filename', '--cpu-prof-dir', '--heap-prof-dir', '--watch-path', '--test-reporter', '--test-reporter-destination', '--test-name-pattern']);

/** Node options after which there is no program file to wait before, or whose process must not be started twice at once. */
const NO_STANDBY = /^(-e|--eval|-p|--print|-c|--check|-i|--interactive|--test|--watch|--watch-path|--inspect|--inspect-brk|--inspect-wait|--debug|--prof|--cpu-prof|--heap-prof|-)(=|$)/;

/**
 * Where a Node command's own options end and its program file begins (`node --enable-source-maps
 * dist/server.js` → 2), or null when it is not `node <options> <file>` as an argv (a shell line,
 * `node -e`, `node --inspect`: a second process beside it would take its inspector port, a REPL).
 */
export function nodeProgramIndex(command: Command): number | null {
  if (command.kind !== 'argv' || !runsNode(command)) return null;
  const { argv } = command;
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') return index + 1 < argv.length ? index + 1 : null;
    if (NO_STANDBY.test(arg)) return null;
    if (!arg.startsWith('-')) return index;
    if (NODE_VALUE_OPTIONS.has(arg)) index++;
  }
  return null;
}
