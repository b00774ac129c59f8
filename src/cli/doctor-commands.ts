import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { describeCommand } from '../config/command-line.js';
import { isGoCommand } from '../config/go-module.js';
import type { Command, ResolvedConfig } from '../config/schema.js';
import type { CheckResult } from './doctor-checks.js';

/** How to get a program a command needs, for the ones whose package name is not the program's. */
const INSTALL_HINTS: Record<string, string> = {
  tsc: 'install it (e.g. npm i -D typescript)',
  go: 'install Go: apt-get install golang-go (Debian, Ubuntu), or the official release from https://go.dev/dl',
};

/**
 * The programs build.cmd and bin run are there: on PATH, in node_modules/.bin, or (bin) a file the
 * build writes; and go, when a command runs it behind another program (a shell line).
 */
export function checkCommands(config: ResolvedConfig, inPlace: CheckResult | null = null): CheckResult[] {
  const results: CheckResult[] = [];
  const { build, run } = config;
  const built = build.kind === 'command' ? builtFiles(build.command, build.cwd, build.output) : [];
  if (build.kind === 'command') results.push(checkCommand('build.cmd', build.command, build.cwd, []));
  // Run in place, the command is hot's own node and loaders: `inPlace` says it in words.
  if (run.command) results.push(inPlace ?? checkCommand('bin', run.command, run.cwd, built));
  const commands = [build.kind === 'command' ? build.command : null, run.command].filter((command): command is Command => command !== null);
  const hidden = commands.some((command) => firstWord(command) !== 'go' && isGoCommand(command));
  if (hidden) results.push(findProgram('go', 'go', process.cwd()) ?? { status: 'fail', line: 'go is not installed (not in PATH), and a command runs go', hint: INSTALL_HINTS.go! });
  return results;
}

/**
 * Files the build command writes, absolute: build.output, and what `-o <file>` names (go build,
 * gcc, cargo's --artifact-dir aside), so a bin that does not exist yet is no failure.
 */
function builtFiles(command: Command, cwd: string, output: string | null): string[] {
  const words = command.kind === 'argv' ? command.argv : command.line.split(/\s+/);
  const named = words.flatMap((word, index) => {
    if ((word === '-o' || word === '--output') && words[index + 1]) return [words[index + 1]!];
    const joined = /^(?:-o|--output)=(.+)$/.exec(word);
    return joined ? [joined[1]!] : [];
  });
  return [...(output ? [output] : []), ...named.map((file) => path.resolve(cwd, file))];
}

function checkCommand(setting: string, command: Command, cwd: string, built: readonly string[]): CheckResult {
  const program = firstWord(command);
  const shown = describeCommand(command);
  if (program && SHELL_BUILTINS.has(program)) return { status: 'skip', line: `${setting}: ${shown}: starts with the shell's own ${program}, not checked` };
  if (!program) return { status: 'skip', line: `${setting}: ${shown}: cannot tell which program it runs` };
  if (program.includes('/')) {
    const file = path.resolve(cwd, program);
    if (built.some((output) => file === output || file.startsWith(output + path.sep))) return { status: 'ok', line: `${setting}: ${shown}: ${program} is written by build.cmd` };
    if (!existsSync(file)) return { status: 'fail', line: `${setting}: ${program} does not exist`, hint: `fix ${setting} in .hotrc.toml` };
    return isExecutable(file) ? { status: 'ok', line: `${setting}: ${shown}` } : { status: 'fail', line: `${setting}: ${program} is not executable`, hint: `chmod +x ${program}, or run it through its interpreter` };
  }
  const found = findProgram(program, `${setting}: ${shown}`, cwd, setting);
  if (found) return found;
  const install = INSTALL_HINTS[program] ?? `install it (e.g. npm i -D ${program})`;
  return { status: 'fail', line: `${setting}: ${program} is not installed (not in PATH nor in node_modules/.bin)`, hint: `${install}, or fix ${setting} in .hotrc.toml` };
}

/** `program` on PATH (ok, saying `line`), or only in a node_modules/.bin above `cwd` (warn); null when neither. */
function findProgram(program: string, line: string, cwd: string, setting = program): CheckResult | null {
  const inPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).some((dir) => isExecutable(path.join(dir, program)));
  if (inPath) return { status: 'ok', line };
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (isExecutable(path.join(dir, 'node_modules', '.bin', program))) {
      return { status: 'warn', line: `${setting}: ${program} is only in node_modules/.bin, which is on PATH under npx and npm scripts`, hint: 'run hot as `npx hot` or from an npm script' };
    }
    if (path.dirname(dir) === dir) return null;
  }
}

const SHELL_BUILTINS = new Set(['cd', 'exec', 'export', 'set', 'unset', 'source', '.', 'eval', 'env', 'if', 'for', 'while', 'test', '[', 'true', 'false', 'echo', 'printf', 'trap', 'ulimit', 'umask', 'command']);

function firstWord(command: Command): string | null {
  if (command.kind === 'argv') return command.argv[0] ?? null;
  const match = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*([^\s;&|<>()$`"']+)/.exec(command.line);
  return match?.[1] ?? null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    // Missing, or not executable for this user.
    return false;
  }
}
