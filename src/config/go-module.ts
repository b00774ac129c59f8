import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_KILL_SIGNAL, type Command, type UserConfig } from './schema.js';
import { validateUserConfig } from './validate.js';

/**
 * Where `go build` writes the program: tmp/ in the module, as air does (tmp/main), so the config
 * `hot init` writes names a path that works on every machine, and the binary sits where a Go
 * developer looks for it (and gitignores). tmp/ is excluded, so writing it is never a change. It is
 * not build.output: a template edit leaves the binary byte-identical, and must restart all the same.
 */
export const GO_BINARY = './tmp/app';
/** What a Go program is made of, and what is not the program (tests, their data, vendored code, the binary). */
export const GO_INCLUDE = ['**/*.go', '**/*.tmpl', '**/*.tpl', '**/*.html', 'go.mod', 'go.sum'];
export const GO_EXCLUDE = ['vendor/', 'testdata/', '**/*_test.go', 'tmp/'];
const tomlList = (items: readonly string[]): string => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
/** `go build` of the main package: `.`, or `./cmd/api` in the cmd/<name> layout. */
export const goBuild = (main: string): string => `go build -o ${GO_BINARY} ${main}`;

/** The config `hot init` writes in a Go module, and the one plain `hot` runs there without a config. */
export const goConfig = (main: string): string => `# .hotrc.toml for a Go module: hot runs \`go build\`, then the binary it wrote.
# A failed build keeps the previous binary running. Paths and globs are relative to this file.

# Go sources, templates and static files the program reads at start.
include = ${tomlList(GO_INCLUDE)}

# A trailing slash names a directory and everything in it, at any depth.
exclude = ${tomlList(GO_EXCLUDE)}

# What to run: the binary the build writes (tmp/ is excluded above; add it to .gitignore).
bin = "${GO_BINARY}"

[build]
cmd = "${goBuild(main)}"

[run]
# env = { PORT = "8080" }
# kill_signal = "SIGTERM"        # the default for the binary (go run would get SIGINT, which it passes on)
kill_timeout = 3000              # then SIGKILL
`;

export const GO_CONFIG = goConfig('.');

/** How hot runs a Go module, in the words of the "running …" line. */
export const goDescription = (main: string): string => `${goBuild(main)}, then ${GO_BINARY}`;

export interface GoModule {
  /** Why: `go.mod and package main in main.go`. */
  reason: string;
  /** The main package to build: `.`, or `./cmd/<name>`. */
  main: string;
}

/**
 * A Go module with a `main` package: go.mod, and a non-test .go file saying `package main`, in the
 * module's directory or else in cmd/<name>/ (the layout of most Go services). Among several commands,
 * the one named as the module is, else the first by name; the line says which others there are.
 */
export function detectGoModule(dir: string): GoModule | null {
  if (!hasGoMod(dir)) return null;
  const here = mainFile(dir);
  if (here) return { reason: `go.mod and package main in ${here}`, main: '.' };
  const commands = subdirectories(path.join(dir, 'cmd')).filter((name) => mainFile(path.join(dir, 'cmd', name)) !== null);
  if (commands.length === 0) return null;
  const moduleName = /^module\s+(\S+)/m.exec(readText(path.join(dir, 'go.mod')))?.[1]?.split('/').pop();
  const chosen = commands.find((name) => name === moduleName) ?? commands[0]!;
  const others = commands.filter((name) => name !== chosen).map((name) => `cmd/${name}`);
  const also = others.length > 0 ? `; also ${others.join(', ')}: set build.cmd to build another` : '';
  return { reason: `go.mod and package main in cmd/${chosen}/${mainFile(path.join(dir, 'cmd', chosen))}${also}`, main: `./cmd/${chosen}` };
}

function mainFile(dir: string): string | null {
  return goFiles(dir).find((file) => /^package\s+main\b/m.test(readText(path.join(dir, file)))) ?? null;
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    // No cmd/ directory.
    return [];
  }
}

/** Whether `dir` has a go.mod: a Go module, with or without a main package here. */
export function hasGoMod(dir: string): boolean {
  return existsSync(path.join(dir, 'go.mod'));
}

/** GO_CONFIG as settings: what plain `hot` runs in a Go module without a .hotrc.toml. */
export function goUserConfig(main = '.'): UserConfig {
  const config = goConfig(main);
  return validateUserConfig(parseToml(config) as Record<string, unknown>, { displayFile: 'go.mod', source: config });
}

function goFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.go') && !entry.name.endsWith('_test.go'))
      .map((entry) => entry.name)
      // main.go first: the file a Go developer would name as the program's.
      .sort((a, b) => Number(b === 'main.go') - Number(a === 'main.go') || a.localeCompare(b));
  } catch {
    // An unreadable directory: no main package hot can see.
    return [];
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Deleted or unreadable between the listing and the read: not a main package.
    return '';
  }
}

/** A go command (`go run .`, `go build`), as the program or inside a shell line. */
const GO_COMMAND = /(?:^|[\s;&|(])go\s+(?:run|build|install|generate|test|vet)\b/;

/**
 * The stop signal when the user set none: SIGINT for a go command, SIGTERM otherwise. `go run`
 * passes SIGINT on to the program it started, waits for it and removes its /tmp/go-build*
 * directory; SIGTERM kills go at once and leaves that directory (~7 MB) behind on every restart.
 * go build gets SIGINT too, as from a terminal's Ctrl-C; it removes its work directory on no signal,
 * so hot gives each build a temp directory of its own to remove (ResolvedBuild's tempDirVariable).
 */
export function defaultStopSignal(command: Command | null | undefined): NodeJS.Signals {
  return isGoCommand(command) ? 'SIGINT' : DEFAULT_KILL_SIGNAL;
}

/** `go …` as the program, or a go subcommand inside a shell line (`cd api && go run .`). */
export function isGoCommand(command: Command | null | undefined): boolean {
  if (!command) return false;
  return command.kind === 'argv' ? path.basename(command.argv[0] ?? '') === 'go' : GO_COMMAND.test(command.line);
}
