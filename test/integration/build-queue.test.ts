import { expect, it } from 'vitest';
import { useSession } from '../helpers/session.js';

const session = useSession();

it('queues exactly one more build for changes made during a build', async () => {
  const project = session.project();
  // A build that takes a while and records each run in a log hot does not watch.
  project.write('build.mjs', "import { appendFileSync } from 'node:fs';\nappendFileSync('builds.log', 'build\\n');\nsetTimeout(() => {}, 1500);\n");
  project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
  project.write('.hotrc.toml', 'include = ["src/**"]\nbin = "node app.mjs"\n[build]\ncmd = "node build.mjs"\n');
  const hot = session.run(project, ['--verbose']);
  await hot.waitFor(/up 0/);
  await hot.watching();

  project.write('src/a.txt', 'a');
  await hot.waitForCount(/building \(node build\.mjs\)/, 2);
  project.write('src/b.txt', 'b');
  project.write('src/c.txt', 'c');
  project.write('src/d.txt', 'd');
  await hot.waitFor(/restarting: src\/a\.txt changed/);
  await hot.waitFor(/restarting: src\/d\.txt \(\+2 more\) changed/);
  await hot.waitFor(/up 2/);
  expect(project.read('builds.log')).toBe('build\nbuild\nbuild\n');
  expect(hot.count(/restarting:/)).toBe(2);
});
