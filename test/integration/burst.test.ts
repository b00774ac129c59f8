import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { act, output, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const session = useSession();

/**
 * A checkout or a formatter touches hundreds of files at once: one restart, however the watcher
 * spreads their events. New files are found by re-reading their directory; files rewritten in
 * place (a formatter) arrive as changes, which a single saved file also is; git's checkout removes
 * each file and writes it again, so such a burst may begin with a lone removal.
 */
it.each([
  ['native events', 'new files'],
  ['native events', 'rewritten files'],
  ['native events', 'files removed and written again'],
  ['polling', 'new files'],
  ['polling', 'rewritten files'],
])('restarts once for 300 files written at once (%s, %s)', async (mode, files) => {
  const project = session.project();
  project.write('app.mjs', "console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n");
  project.write('.hotrc.toml', 'include = ["app.mjs", "data/**/*.json"]\nbin = "node app.mjs"\n');
  const name = (i: number) => `data/dir${i % 10}/file${i}.json`;
  for (let i = 0; i < 10; i++) project.write(`data/dir${i}/seed.json`, '{}');
  if (files !== 'new files') for (let i = 0; i < 300; i++) project.write(name(i), '{}');
  const hot = session.run(project, [], mode === 'polling' ? { env: { HOT_POLL: '1' } } : {});
  await hot.interact(output(/^up 0$/m), watching());
  expect(/polling every \d+ ms/.test(hot.output())).toBe(mode === 'polling');

  await hot.interact(
    act('write 300 files at once', () => {
      for (let i = 0; i < 300; i++) {
        if (files === 'files removed and written again') rmSync(project.path(name(i)));
        project.write(name(i), JSON.stringify({ i }));
      }
    }),
    output(/restarting: data\/dir\d\/file\d+\.json \(\+299 more\) changed/),
    output(/^up 1$/m),
    // A later, separate change restarts again; nothing of the burst may have slipped in between.
    act('edit app.mjs', () => project.write('app.mjs', `${project.read('app.mjs')}// sentinel\n`)),
    output(/restarting: app\.mjs changed/),
    output(/^up 2$/m),
  );
  expect(hot.count(/restarting:/)).toBe(2);
});
