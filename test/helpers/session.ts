import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { spawnHot, type HotProcess } from './hot-process.js';
import { freePort } from './http.js';
import { OUTPUT_SHOWN, answer, watching } from './interact.js';
import { addApp, createProject, type TempProject } from './project.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Give hot a writable stdin (see HotProcess.write). */
  stdin?: boolean;
  /** Run hot on a pseudo-terminal, as in a person's terminal; implies stdin. */
  tty?: boolean;
}

export interface Session {
  /** A temp project (a copy of fixtures/projects/<fixture> when given), removed after the test. */
  project(fixture?: string): TempProject;
  /**
   * The built CLI in `project`; it and every process it started are killed after the test. Its
   * XDG_CACHE_HOME (hot's private cache) is a temp dir of the test's unless `env` sets one: tests
   * never write into the real home.
   */
  run(project: TempProject, args: string[], options?: RunOptions): HotProcess;
  /** Something else to close after the test (a server, a browser page, an in-process hot). */
  onCleanup(close: () => unknown): void;
}

/**
 * The one way a test starts hot. Registers the afterEach that kills every process tree and removes
 * every temp dir the test made, and that shows hot's output when the test failed on something other
 * than a step (an expect, the test's timeout).
 */
export function useSession(): Session {
  const hots: HotProcess[] = [];
  const projects: TempProject[] = [];
  const cleanups: Array<() => unknown> = [];
  let cacheHome: string | undefined;
  afterEach(async (context) => {
    const errors = context.task.result?.errors ?? [];
    if (errors.length > 0 && !errors.some((error) => String(error.message).includes(OUTPUT_SHOWN))) {
      for (const hot of hots) console.error(`${OUTPUT_SHOWN} in "${context.task.name}" (hot ${hot.marker}) ---\n${hot.output()}\n--- end ---`);
    }
    // hot first: a run still going may write where a cleanup removes (its cache, a project's files).
    await Promise.all(hots.splice(0).map((hot) => hot.cleanup()));
    await Promise.allSettled(cleanups.splice(0).reverse().map((close) => close()));
    for (const project of projects.splice(0)) project.remove();
    if (cacheHome) rmSync(cacheHome, { recursive: true, force: true });
    cacheHome = undefined;
  });
  return {
    project(fixture) {
      const project = createProject(fixture);
      projects.push(project);
      return project;
    },
    run(project, args, options = {}) {
      cacheHome ??= mkdtempSync(path.join(os.tmpdir(), 'hot-test-cache-'));
      const hot = spawnHot(args, { cwd: project.dir, ...options, env: { XDG_CACHE_HOME: cacheHome, ...options.env } });
      hots.push(hot);
      return hot;
    },
    onCleanup(close) {
      cleanups.push(close);
    },
  };
}

/**
 * fixtures/apps/http-server.mjs under hot with a config that gives it a free PORT, serving v1 and
 * watched: the common start of tests about config changes.
 */
export async function startHttpApp(session: Session): Promise<{ hot: HotProcess; project: TempProject; port: number }> {
  const project = session.project();
  addApp(project, 'http-server.mjs', 'app.mjs');
  const port = await freePort();
  project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "${port}" }\n`);
  const hot = session.run(project, []);
  await hot.interact(answer(port, /^v1 /), watching());
  return { hot, project, port };
}
