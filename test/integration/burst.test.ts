import { expect, it } from 'vitest';
import { useSession } from '../helpers/session.js';

const session = useSession();

it.each(['native events', 'polling'])('restarts once for 300 files written at once (%s)', async (mode) => {
  const project = session.project();
  project.write('app.mjs', "console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n");
  project.write('.hotrc.toml', 'include = ["app.mjs", "data/**/*.json"]\nbin = "node app.mjs"\n');
  for (let i = 0; i < 10; i++) project.write(`data/dir${i}/seed.json`, '{}');
  const hot = session.run(project, [], mode === 'polling' ? { HOT_POLL: '1' } : undefined);
  await hot.waitFor(/up 0/);
  await hot.watching();
  expect(/polling every \d+ ms/.test(hot.output())).toBe(mode === 'polling');

  for (let i = 0; i < 300; i++) project.write(`data/dir${i % 10}/file${i}.json`, JSON.stringify({ i }));
  await hot.waitFor(/restarting: data\/dir\d\/file\d+\.json \(\+299 more\) changed/);
  await hot.waitFor(/up 1/);

  // A later, separate change restarts again; nothing of the burst may have slipped in between.
  project.write('app.mjs', `${project.read('app.mjs')}// sentinel\n`);
  await hot.waitFor(/restarting: app\.mjs changed/);
  await hot.waitFor(/up 2/);
  expect(hot.count(/restarting:/)).toBe(2);
});
