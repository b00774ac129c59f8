import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateCacheDir } from '../../../src/config/cache-dir.js';
import { loadConfig } from '../../../src/config/load.js';

/** Where the bundles go; on real temp trees, since the answer depends on what exists and who owns it. */
describe('locateCacheDir', () => {
  let tmp: string;
  let xdg: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'hot-cache-dir-'));
    xdg = path.join(tmp, 'xdg-cache');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  function dir(...parts: string[]): string {
    const full = path.join(tmp, ...parts);
    mkdirSync(full, { recursive: true });
    return full;
  }

  const privateDir = (root: string, base = xdg) => ({ dir: expect.stringMatching(new RegExp(`^${base}/hot/${path.basename(root)}-[0-9a-f]{16}$`)) as unknown, privateBase: base });

  it("uses the project's own node_modules/.cache/hot", () => {
    const root = dir('app');
    dir('app', 'node_modules');
    expect(locateCacheDir(root, null, { XDG_CACHE_HOME: xdg })).toEqual({ dir: path.join(root, 'node_modules', '.cache', 'hot'), privateBase: null });
  });

  it('never uses a node_modules above the project: it may be anyone\'s (a shared /tmp)', () => {
    dir('node_modules');
    const root = dir('app');
    expect(locateCacheDir(root, null, { XDG_CACHE_HOME: xdg })).toEqual(privateDir(root));
  });

  it('puts hot\'s cache of a project inside a shared directory with a stranger\'s node_modules in the private one', () => {
    const modules = dir('node_modules');
    chownSync(modules, 1234, 1234);
    const root = dir('app');
    writeFileSync(path.join(root, 'main.ts'), '');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = xdg;
    try {
      const config = loadConfig({ cwd: root, overrides: { entry: 'main.ts' } });
      expect(config.cache.dir).toMatch(new RegExp(`^${xdg}/hot/app-[0-9a-f]{16}$`));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('names each project its own directory in the private cache', () => {
    const one = locateCacheDir(dir('a', 'app'), null, { XDG_CACHE_HOME: xdg });
    const two = locateCacheDir(dir('b', 'app'), null, { XDG_CACHE_HOME: xdg });
    expect(one.dir).not.toBe(two.dir);
  });

  it("uses the workspace root's node_modules for a package hot runs from that root", () => {
    const workspace = dir('repo');
    dir('repo', 'node_modules');
    expect(locateCacheDir(dir('repo', 'packages', 'api'), workspace, { XDG_CACHE_HOME: xdg }).dir).toBe(path.join(workspace, 'node_modules', '.cache', 'hot'));
  });

  it('uses the node_modules of a workspace declared above the package hot runs in, when it is the user\'s', () => {
    const workspace = dir('repo');
    writeFileSync(path.join(workspace, 'package.json'), '{ "workspaces": ["packages/*"] }\n');
    dir('repo', 'node_modules');
    expect(locateCacheDir(dir('repo', 'packages', 'api'), null, { XDG_CACHE_HOME: xdg }).dir).toBe(path.join(workspace, 'node_modules', '.cache', 'hot'));
  });

  it("ignores a workspace above the package that another user declared or installed", () => {
    const workspace = dir('repo');
    writeFileSync(path.join(workspace, 'pnpm-workspace.yaml'), 'packages: ["*"]\n');
    const modules = dir('repo', 'node_modules');
    const root = dir('repo', 'api');
    chownSync(modules, 1234, 1234);
    expect(locateCacheDir(root, null, { XDG_CACHE_HOME: xdg })).toEqual(privateDir(root));
    chownSync(modules, 0, 0);
    chownSync(path.join(workspace, 'pnpm-workspace.yaml'), 1234, 1234);
    expect(locateCacheDir(root, null, { XDG_CACHE_HOME: xdg })).toEqual(privateDir(root));
  });

  it('uses ~/.cache without XDG_CACHE_HOME (or with a relative one, which the XDG spec says to ignore)', () => {
    const root = dir('app');
    const home = dir('home');
    expect(locateCacheDir(root, null, { HOME: home })).toEqual(privateDir(root, path.join(home, '.cache')));
    expect(locateCacheDir(root, null, { HOME: home, XDG_CACHE_HOME: 'relative/cache' })).toEqual(privateDir(root, path.join(home, '.cache')));
  });

  it('falls back to a per-user directory in the temp directory without a usable home', () => {
    const root = dir('app');
    const uid = process.getuid!();
    expect(locateCacheDir(root, null, { HOME: '' })).toEqual({
      dir: expect.stringMatching(new RegExp(`^${os.tmpdir()}/hot-${uid}/app-[0-9a-f]{16}$`)) as unknown,
      privateBase: os.tmpdir(),
    });
  });
});
