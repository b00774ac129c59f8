import { mkdirSync, symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { act, exit, output } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

describe('hardening', () => {
  const session = useSession();

  it('hashes a build.output with symlinks back up the tree once, and Ctrl-C still works', async () => {
    const project = session.project();
    project.write('build.mjs', "import { writeFileSync } from 'node:fs';\nwriteFileSync('out/app.mjs', \"console.log('app up'); setInterval(() => {}, 1000);\\n\");\n");
    mkdirSync(project.path('out'));
    // Two links to the directory itself: followed naively, 2^40 paths before ELOOP.
    symlinkSync('.', project.path('out', 'a'));
    symlinkSync('.', project.path('out', 'b'));
    project.write('.hotrc.toml', 'include = ["build.mjs"]\nbin = "node out/app.mjs"\n[build]\ncmd = "node build.mjs"\noutput = "out"\n');
    const hot = session.run(project, []);
    const { code } = await hot.interact(output(/app up/), act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    expect(hot.liveProcesses()).toBe(0);
  });
});
