import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, lstatSync, readFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CacheDir } from './schema.js';

/**
 * Where hot keeps the bundles it builds itself for the project at `root`:
 * - `node_modules/.cache/hot` of the project, or of its workspace (`workspaceRoot` when hot runs a
 *   monorepo's packages, or a workspace declared above `root`), so the bundle's bare imports resolve
 *   to the project's packages. That tree is the user's own, like the sources hot runs anyway.
 * - else hot's per-user cache: `$XDG_CACHE_HOME/hot/<project>`, `~/.cache/hot/<project>`, or
 *   `<tmp>/hot-<uid>/<project>` without a writable home; made and checked before each write.
 *
 * The search for node_modules never goes above the project or its workspace: a node_modules in a
 * shared parent (/tmp) may be anyone's, and hot would run what they put there.
 */
export function locateCacheDir(root: string, workspaceRoot: string | null, env: NodeJS.ProcessEnv = process.env): CacheDir {
  const modules = projectNodeModules(root, workspaceRoot);
  if (modules) return { dir: path.join(modules, '.cache', 'hot'), privateBase: null };
  const name = `${path.basename(root).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'project'}-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
  const userCache = userCacheHome(env);
  if (userCache) return { dir: path.join(userCache, 'hot', name), privateBase: userCache };
  const tmp = os.tmpdir();
  return { dir: path.join(tmp, `hot-${process.getuid?.() ?? os.userInfo().username}`, name), privateBase: tmp };
}

function projectNodeModules(root: string, workspaceRoot: string | null): string | null {
  const own = path.join(root, 'node_modules');
  if (existsSync(own)) return own;
  // Run by hot at the workspace root: the directories up to it are the user's workspace.
  if (workspaceRoot !== null && isBelow(root, workspaceRoot)) return nearestNodeModules(root, workspaceRoot, existsSync);
  // Run inside a package of a monorepo: its node_modules counts only as far as it is surely the user's.
  const workspace = enclosingWorkspace(root);
  return workspace ? nearestNodeModules(root, workspace, isOwnDirectory) : null;
}

/** The first node_modules from `root`'s parent up to `top` (included) that `accept`s. */
function nearestNodeModules(root: string, top: string, accept: (dir: string) => boolean): string | null {
  for (let dir = path.dirname(root); isBelow(dir, top) || dir === top; dir = path.dirname(dir)) {
    const modules = path.join(dir, 'node_modules');
    if (accept(modules)) return modules;
    if (dir === top) break;
  }
  return null;
}

/**
 * The nearest directory above `root` that declares a workspace (package.json "workspaces", or
 * pnpm-workspace.yaml), when that declaration is the current user's; null otherwise.
 */
function enclosingWorkspace(root: string): string | null {
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const pnpm = path.join(dir, 'pnpm-workspace.yaml');
    if (existsSync(pnpm)) return isOwnFile(pnpm) ? dir : null;
    const manifest = path.join(dir, 'package.json');
    if (declaresWorkspaces(manifest)) return isOwnFile(manifest) ? dir : null;
    if (path.dirname(dir) === dir) return null;
  }
}

function declaresWorkspaces(manifest: string): boolean {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown } | null;
    return typeof parsed === 'object' && parsed !== null && parsed.workspaces !== undefined;
  } catch {
    // Missing or not JSON: npm would not see a workspace there either.
    return false;
  }
}

function isOwnDirectory(file: string): boolean {
  return isOwn(file, (stats) => stats.isDirectory());
}

function isOwnFile(file: string): boolean {
  return isOwn(file, (stats) => stats.isFile());
}

/** A real file or directory (not a link) of the current user that others cannot write to. */
function isOwn(file: string, isKind: (stats: Stats) => boolean): boolean {
  try {
    const stats = lstatSync(file);
    const uid = process.getuid?.();
    return isKind(stats) && (uid === undefined || stats.uid === uid) && (stats.mode & 0o002) === 0;
  } catch {
    // Missing (ENOENT) or unreadable: not something hot may rely on.
    return false;
  }
}

/**
 * The user's cache directory: $XDG_CACHE_HOME when set to an absolute path (as the XDG spec says),
 * else ~/.cache when it is or can be made writable; null without a usable home (a system user).
 */
function userCacheHome(env: NodeJS.ProcessEnv): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return xdg;
  let home: string;
  try {
    home = env.HOME ?? os.homedir();
  } catch {
    // No HOME and no passwd entry (a container's arbitrary uid).
    return null;
  }
  if (!path.isAbsolute(home)) return null;
  const cache = path.join(home, '.cache');
  return isWritable(cache) ? cache : null;
}

/** Writable, or missing below a writable directory, so it can be made. */
function isWritable(dir: string): boolean {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(current)) {
      try {
        accessSync(current, constants.W_OK);
        return true;
      } catch {
        // Read-only home, or another user's: use the temp directory instead.
        return false;
      }
    }
    if (path.dirname(current) === current) return false;
  }
}

function isBelow(dir: string, top: string): boolean {
  const relative = path.relative(top, dir);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
