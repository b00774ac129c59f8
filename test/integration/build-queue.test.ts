import { expect, it } from 'vitest';
import { act, output, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const session = useSession();

it('queues exactly one more build for changes made during a build', async () => {
  const project = session.project();
  // A build that takes a while and records each run in a log hot does not watch.
  project.write('build.mjs', "import { appendFileSync } from 'node:fs';\nappendFileSync('builds.log', 'build\\n');\nsetTimeout(() => {}, 1500);\n");
  project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
  project.write('.hotrc.toml', 'include = ["src/**"]\nbin = "node app.mjs"\n[build]\ncmd = "node build.mjs"\n');
  const hot = session.run(project, ['--verbose']);
  await hot.interact(
    output(/^up 0$/m),
    watching(),
    act('add src/a.txt', () => project.write('src/a.txt', 'a')),
    output(/building \(node build\.mjs\)/),
    act('add src/b.txt, c.txt and d.txt while that build runs', () => {
      project.write('src/b.txt', 'b');
      project.write('src/c.txt', 'c');
      project.write('src/d.txt', 'd');
    }),
    output(/restarting: src\/a\.txt changed/),
    output(/restarting: src\/d\.txt \(\+2 more\) changed/),
    output(/^up 2$/m),
    // A later change gets exactly one more build: nothing else was left queued.
    act('add src/e.txt', () => project.write('src/e.txt', 'e')),
    output(/restarting: src\/e\.txt changed/),
    output(/^up 3$/m),
  );
  expect(project.read('builds.log')).toBe('build\nbuild\nbuild\nbuild\n');
  expect(hot.count(/restarting:/)).toBe(3);
});
