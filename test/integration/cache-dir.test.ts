import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { answer, output } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const version = (name: string) => (body: string) => body.includes(`"version":"${name}"`);

/**
 * hot used to run a bundle from its per-user cache, which another local user must not be able to
 * replace. The entry now runs in place and the build writes nothing, so nothing there is ever run:
 * a cache directory someone else made, with a link planted in it, changes nothing. The projects are
 * fresh temp dirs with no node_modules anywhere above them; HOME and XDG_CACHE_HOME point into temp
 * dirs of the test.
 */
describe("hot's private cache", () => {
  const session = useSession();

  it('is neither read nor written when the entry runs in place, even when another user owns it', async () => {
    const project = session.project('esbuild-basic');
    const home = session.project();
    const cacheHome = home.path('cache');
    const digest = createHash('sha256').update(project.dir).digest('hex').slice(0, 16);
    const cacheDir = path.join(cacheHome, 'hot', `${path.basename(project.dir)}-${digest}`);
    home.write('victim.mjs', "console.log('not the app');\n");
    mkdirSync(cacheDir, { recursive: true, mode: 0o777 });
    symlinkSync(home.path('victim.mjs'), path.join(cacheDir, 'src__server.mjs'));
    chownSync(path.join(cacheHome, 'hot'), 1234, 1234);
    const port = await freePort();
    const hot = session.run(project, [], { env: { HOME: home.dir, XDG_CACHE_HOME: cacheHome, PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), answer(port, version('v1')));
    expect(readdirSync(cacheDir)).toEqual(['src__server.mjs']);
    expect(readFileSync(home.path('victim.mjs'), 'utf8')).toBe("console.log('not the app');\n");
    expect(hot.output()).not.toMatch(/not the app|cache directory/);
  });
});
