import { afterEach } from 'vitest';
import { runHot, type HotProcess } from './hot-process.js';
import { freePort, waitForResponse } from './http.js';
import { addApp, createProject, type TempProject } from './project.js';

export interface Session {
  /** A temp project (a copy of fixtures/projects/<fixture> when given), removed after the test. */
  project(fixture?: string): TempProject;
  /** The built CLI in `project`; it and every process it started are killed after the test. */
  run(project: TempProject, args: string[], env?: NodeJS.ProcessEnv): HotProcess;
}

/** Registers the afterEach that kills every process tree and removes every temp dir the test made. */
export function useSession(): Session {
  const hots: HotProcess[] = [];
  const projects: TempProject[] = [];
  afterEach(async () => {
    await Promise.all(hots.splice(0).map((hot) => hot.cleanup()));
    for (const project of projects.splice(0)) project.remove();
  });
  return {
    project(fixture) {
      const project = createProject(fixture);
      projects.push(project);
      return project;
    },
    run(project, args, env) {
      const hot = runHot(args, { cwd: project.dir, ...(env ? { env } : {}) });
      hots.push(hot);
      return hot;
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
  await waitForResponse(port, (body) => body.startsWith('v1 '));
  await hot.watching();
  return { hot, project, port };
}
