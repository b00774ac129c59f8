import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, readdirSync, symlinkSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');
/** The built CLI; HOT_TEST_CLI runs the suite against another build (an older one, to see a new test fail). */
export const CLI = process.env.HOT_TEST_CLI ?? path.join(REPO_ROOT, 'dist', 'cli', 'main.cjs');

export interface TempProject {
  dir: string;
  path(...parts: string[]): string;
  write(relativePath: string, text: string): void;
  read(relativePath: string): string;
  /** Replaces `from` with `to` in a file, failing loudly if `from` is not there. */
  replace(relativePath: string, from: string | RegExp, to: string): void;
  remove(): void;
}

/** A fresh temp directory, optionally seeded with a copy of fixtures/projects/<name>; nothing writes into fixtures/. */
export function createProject(fixture?: string): TempProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-test-'));
  if (fixture) cpSync(path.join(FIXTURES, 'projects', fixture), dir, { recursive: true });
  const project: TempProject = {
    dir,
    path: (...parts) => path.join(dir, ...parts),
    write(relativePath, text) {
      const file = path.join(dir, relativePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    read: (relativePath) => readFileSync(path.join(dir, relativePath), 'utf8'),
    replace(relativePath, from, to) {
      const before = project.read(relativePath);
      const after = before.replace(from, to);
      if (after === before) throw new Error(`${relativePath} does not contain ${String(from)}`);
      project.write(relativePath, after);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return project;
}

/** Copies one of fixtures/apps/ into the project. */
export function addApp(project: TempProject, app: string, as = app): void {
  cpSync(path.join(FIXTURES, 'apps', app), project.path(as));
}

/** What `npm install` does for a workspace: node_modules/<name> links to each package under packages/. */
export function linkWorkspacePackages(project: TempProject): void {
  mkdirSync(project.path('node_modules'), { recursive: true });
  for (const dir of readdirSync(project.path('packages'))) {
    const { name } = JSON.parse(project.read(`packages/${dir}/package.json`)) as { name: string };
    // Two packages with one name: npm would refuse; the first one keeps the link here.
    if (!existsSync(project.path('node_modules', name))) symlinkSync(path.join('..', 'packages', dir), project.path('node_modules', name));
  }
}

/**
 * typescript and @types from the repository's node_modules, linked into the project's own
 * node_modules (with .bin/tsc), as after `npm install -D typescript`: hot's type check finds its tsc.
 */
export function linkTypeScript(project: TempProject): void {
  mkdirSync(project.path('node_modules', '.bin'), { recursive: true });
  for (const name of ['typescript', '@types']) symlinkSync(path.join(REPO_ROOT, 'node_modules', name), project.path('node_modules', name), 'dir');
  symlinkSync(path.join('..', 'typescript', 'bin', 'tsc'), project.path('node_modules', '.bin', 'tsc'));
}
