import { parse, quote } from 'shell-quote';
import type { Command } from './schema.js';

/** Syntax shell-quote does not report as an operator but only a shell understands. */
const SHELL_ONLY = /`|\\\n|(^|\s)~/;

/**
 * A command line from the config. Plain ones ("node dist/server.js", quotes allowed) are split into
 * arguments and started directly, so signals and exit codes reach the program itself; anything that
 * needs a shell (`&&`, `$VAR`, `FOO=1 cmd`, globs) runs under `/bin/sh -c`.
 */
export function parseCommandLine(line: string): Command {
  const trimmed = line.trim();
  if (SHELL_ONLY.test(trimmed)) return { kind: 'shell', line: trimmed };
  let expands = false;
  // Operators, globs and comments come back as objects; variables are reported through the callback.
  const tokens = parse(trimmed, () => {
    expands = true;
    return '';
  });
  if (expands) return { kind: 'shell', line: trimmed };
  const argv = tokens.filter((token): token is string => typeof token === 'string');
  if (argv.length !== tokens.length || argv.length === 0 || argv[0]!.includes('=')) return { kind: 'shell', line: trimmed };
  return { kind: 'argv', argv };
}

/** The command with extra arguments appended; for a shell line they are quoted, never interpolated. */
export function withArguments(command: Command, args: readonly string[]): Command {
  if (args.length === 0) return command;
  if (command.kind === 'argv') return { kind: 'argv', argv: [...command.argv, ...args] };
  return { kind: 'shell', line: `${command.line} ${quote([...args])}` };
}

/** How the command reads in hot's own log lines. */
export function describeCommand(command: Command): string {
  return command.kind === 'shell' ? command.line : quote(command.argv);
}
