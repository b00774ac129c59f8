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
export const GO_BUILD = `go build -o ${GO_BINARY} .`;

/** The config `hot init` writes in a Go module, and the one plain `hot` runs there without a config. */
export const GO_CONFIG = `# .hotrc.toml for a Go module: hot runs \`go build\`, then the binary it wrote.
# A failed build keeps the previous binary running. Paths and globs are relative to this file.

# Go sources, templates and static files the program reads at start.
include = ${tomlList(GO_INCLUDE)}

# A trailing slash names a directory and everything in it, at any depth.
exclude = ${tomlList(GO_EXCLUDE)}

# What to run: the binary the build writes (tmp/ is excluded above; add it to .gitignore).
bin = "${GO_BINARY}"

[build]
cmd = "${GO_BUILD}"

[run]
# env = { PORT = "8080" }
# kill_signal = "SIGTERM"        # the default for the binary (go run would get SIGINT, which it passes on)
kill_timeout = 3000              # then SIGKILL
`;

/** How hot runs a Go module, in the words of the "running …" line. */
export const GO_DESCRIPTION = `${GO_BUILD}, then ${GO_BINARY}`;

export interface GoModule {
  /** Why: `go.mod and package main in main.go`. */
  reason: string;
}

/** A Go module whose directory holds a `main` package: go.mod, and a non-test .go file saying `package main`. */
export function detectGoModule(dir: string): GoModule | null {
  if (!hasGoMod(dir)) return null;
  const main = goFiles(dir).find((file) => /^package\s+main\b/m.test(readText(path.join(dir, file))));
  return main ? { reason: `go.mod and package main in ${main}` } : null;
}

/** Whether `dir` has a go.mod: a Go module, with or without a main package here. */
export function hasGoMod(dir: string): boolean {
  return existsSync(path.join(dir, 'go.mod'));
}

/** GO_CONFIG as settings: what plain `hot` runs in a Go module without a .hotrc.toml. */
export function goUserConfig(): UserConfig {
  return validateUserConfig(parseToml(GO_CONFIG) as Record<string, unknown>, { displayFile: 'go.mod', source: GO_CONFIG });
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
