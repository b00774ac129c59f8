import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findInternalPackages } from '../../../src/workspace/internal-packages.js';
import { createProject, type TempProject } from '../../helpers/project.js';

describe('findInternalPackages', () => {
  const projects: TempProject[] = [];
  afterEach(() => {
    for (const project of projects.splice(0)) project.remove();
  });
  function workspace(): TempProject {
    const project = createProject('workspace-ts');
    projects.push(project);
    project.write('packages/greeting/node_modules/dep/index.js', '');
    project.write('packages/greeting/dist/index.js', '');
    return project;
  }

  it('in a package: every package name, and the sources of the packages it depends on', () => {
    const project = workspace();
    const found = findInternalPackages(project.path('packages', 'app'));
    expect([...found!.names].sort()).toEqual(['ws-app', 'ws-greeting', 'ws-version']);
    expect(found!.sourceFiles.map((file) => path.relative(project.dir, file))).toEqual([
      'packages/greeting/package.json',
      'packages/greeting/src/index.ts',
      'packages/version/package.json',
      'packages/version/src/index.ts',
    ]);
  });

  it('nothing at the workspace root, outside a workspace, or in a directory that is not a package', () => {
    const project = workspace();
    expect(findInternalPackages(project.dir)).toBeNull();
    expect(findInternalPackages(project.path('packages', 'app', 'src'))).toBeNull();
    expect(findInternalPackages(project.path('packages'))).toBeNull();
  });
});
