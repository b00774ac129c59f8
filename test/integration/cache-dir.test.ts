import { createHash } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/http.js';
import { answer, exit, output } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

const version = (name: string) => (body: string) => body.includes(`"version":"${name}"`);
const mode = (file: string): number => statSync(file).mode & 0o777;

/**
 * Without a node_modules in the project, the bundle goes to hot's per-user cache, which another
 * local user must not be able to read, redirect or replace. The projects are fresh temp dirs with no
 * node_modules anywhere above them; HOME and XDG_CACHE_HOME point into temp dirs of the test.
 */
describe("hot's private cache", () => {
  const session = useSession();

  /** The cache home, the project's directory in it (as the README describes it), and a victim file elsewhere. */
  function setUp(): { project: TempProject; cacheHome: string; cacheDir: string; victim: string; env: NodeJS.ProcessEnv } {
    const project = session.project('esbuild-basic');
    const home = session.project();
    const cacheHome = home.path('cache');
    const digest = createHash('sha256').update(project.dir).digest('hex').slice(0, 16);
    const cacheDir = path.join(cacheHome, 'hot', `${path.basename(project.dir)}-${digest}`);
    home.write('victim.txt', 'precious\n');
    return { project, cacheHome, cacheDir, victim: home.path('victim.txt'), env: { HOME: home.dir, XDG_CACHE_HOME: cacheHome } };
  }

  it('replaces a link planted at the bundle path, leaves its target alone, and runs the app from a 0700 directory', async () => {
    const { project, cacheHome, cacheDir, victim, env } = setUp();
    // Directories of the user's own, but with loose modes: hot tightens them.
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(path.join(cacheHome, 'hot'), 0o777);
    chmodSync(cacheDir, 0o755);
    const bundle = path.join(cacheDir, 'src__server.mjs');
    symlinkSync(victim, bundle);
    symlinkSync(victim, `${bundle}.map`);
    const port = await freePort();
    const hot = session.run(project, [], { env: { ...env, PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), answer(port, version('v1')));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(mode(path.join(cacheHome, 'hot'))).toBe(0o700);
    expect(mode(cacheDir)).toBe(0o700);
    expect(lstatSync(bundle).isFile()).toBe(true);
    expect(mode(bundle)).toBe(0o600);
    expect(lstatSync(`${bundle}.map`).isFile()).toBe(true);
  });

  it("refuses to start when the cache directory belongs to another user, saying so", async () => {
    const { project, cacheHome, victim, env } = setUp();
    mkdirSync(path.join(cacheHome, 'hot'), { recursive: true, mode: 0o777 });
    chmodSync(path.join(cacheHome, 'hot'), 0o777);
    chownSync(path.join(cacheHome, 'hot'), 1234, 1234);
    const hot = session.run(project, [], { env: { ...env, PORT: String(await freePort()) } });
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toContain(`[hot] hot's cache directory ${path.join(cacheHome, 'hot')} belongs to another user (uid 1234): refusing to use it\n`);
    expect(hot.output()).toMatch(/^\[hot\] hint: someone may be trying to have hot run their code: leave it alone, or set XDG_CACHE_HOME to a directory of your own$/m);
    expect(hot.output()).not.toMatch(/started/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });
});
