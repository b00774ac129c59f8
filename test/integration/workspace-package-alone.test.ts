import { describe, it } from 'vitest';
import { tsLoaderUrl } from '../../src/config/ts-loader.js';
import { freePort } from '../helpers/http.js';
import { act, answer, output, watching } from '../helpers/interact.js';
import { linkWorkspacePackages, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

describe('a workspace package run alone', () => {
  const session = useSession();

  it('loads internal packages that export .ts, restarts when one is edited, and keeps serving when one breaks', async () => {
    const project = session.project('workspace-ts');
    linkWorkspacePackages(project);
    const port = await freePort();
    // `cd packages/app && hot`, no config, no arguments: the workspace root is two levels up.
    const app: TempProject = { ...project, dir: project.path('packages', 'app') };
    const hot = session.run(app, [], { env: { PORT: String(port) } });
    await hot.interact(output(/running src\/server\.ts \(from package\.json scripts\.dev: "tsx src\/server\.ts"\)/), answer(port, /^\{"greeting":"hello, workspace","version":"v1"\}$/), watching());
    await hot.interact(
      act('edit the internal package exported as .ts', () => project.replace('packages/greeting/src/index.ts', 'hello, ', 'hi, ')),
      output(/restarting: \.\.\/greeting\/src\/index\.ts changed/),
      answer(port, /^\{"greeting":"hi, workspace","version":"v1"\}$/),
      act('edit the internal package whose main is .ts', () => project.replace('packages/version/src/index.ts', "'v1'", "'v2'")),
      output(/restarting: \.\.\/version\/src\/index\.ts changed/),
      answer(port, /^\{"greeting":"hi, workspace","version":"v2"\}$/),
      act('break the internal package', () => project.replace('packages/version/src/index.ts', "'v2'", "= 'v3'")),
      output(/build failed in \d+ ms, keeping the previous process running/),
      answer(port, /^\{"greeting":"hi, workspace","version":"v2"\}$/),
    );
  });

  it('restarts a command (no build) when an internal package it depends on is edited', async () => {
    const project = session.project('workspace-ts');
    linkWorkspacePackages(project);
    const port = await freePort();
    const app: TempProject = { ...project, dir: project.path('packages', 'app') };
    const hot = session.run(app, ['--', 'node', '--import', tsLoaderUrl(), 'src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /"version":"v1"/), watching());
    await hot.interact(
      act('edit the internal package', () => project.replace('packages/version/src/index.ts', "'v1'", "'v2'")),
      output(/restarting: \.\.\/version\/src\/index\.ts changed/),
      answer(port, /"version":"v2"/),
    );
  });
});
