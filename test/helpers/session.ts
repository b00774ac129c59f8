import { afterEach } from 'vitest';
import { runHot, type HotProcess } from './hot-process.js';
import { createProject, type TempProject } from './project.js';

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
