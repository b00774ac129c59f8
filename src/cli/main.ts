#!/usr/bin/env node
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { EARLY_START_KEY, startEarly, whenListening, type EarlyStart } from '../early-start.js';

/**
 * hot's command (the bin is this file bundled as CommonJS, main.cjs: Node starts a CommonJS entry
 * ~10 ms sooner than an ES module, and the launcher starts the program first): the CLI bundle (hot.cjs, built from program.ts) run through V8's code cache, so
 * that a start does not compile its ~700 KB again (~25 ms of every start). The cache sits next to
 * the bundle, written once a run has compiled what a start needs. Where it cannot be read or
 * written, the bundle compiles as usual; without the bundle (a build that did not bundle), the
 * modules are imported one by one.
 *
 * V8 checks a cache only against the length of the source, and trusts its bytes: the cache is
 * named by every trace of the bundle a replacement leaves (size, mtime, ctime, inode) and by Node's
 * version, and carries a checksum of its own, checked before V8 sees it.
 */
const bundle = fileURLToPath(new URL('./hot.cjs', import.meta.url));
/** Long enough for a start to have compiled what it runs; short enough for a session to reach it. */
const WRITE_CACHE_AFTER_MS = 1500;
/** A temporary file older than this was left by a process killed while writing. */
const STALE_TEMP_MS = 60_000;

/** Starts the program early when the last run here says how, then hot (now, or once the program listens). */
function launch(): void {
  let stats: { size: number; mtimeMs: number; ctimeMs: number; ino: number };
  try {
    stats = statSync(bundle);
  } catch {
    void import('./program.js');
    return;
  }
  // The program starts now, as the last run here started it, and boots before (or while) hot loads.
  let early: EarlyStart | null = null;
  try {
    early = startEarly(`${stats.size}-${Math.floor(stats.mtimeMs)}-${stats.ino}`);
    (globalThis as Record<symbol, unknown>)[EARLY_START_KEY] = early;
  } catch {
    // A record that cannot be used is no reason not to start: hot starts the program itself.
  }
  const load = (): void => {
    if (!runBundle(stats)) void import('./program.js');
  };
  if (!early || !whenListening(early, load)) load();
}

function runBundle(stats: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): boolean {
  let source: string;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch {
    return false;
  }
  const dir = path.dirname(bundle);
  const prefix = `.${path.basename(bundle)}-${process.version}-${process.arch}-`;
  const cacheFile = path.join(dir, `${prefix}${stats.size}-${Math.floor(stats.mtimeMs)}-${Math.floor(stats.ctimeMs)}-${stats.ino}.cache`);
  const cachedData = readCache(cacheFile);
  // The bundle comes from ES modules: strict, as they were.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {'use strict';${source.replace(/^#!.*/, '')}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!cachedData || script.cachedDataRejected) setTimeout(() => writeCache(script, dir, prefix, cacheFile), WRITE_CACHE_AFTER_MS).unref();
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, dir);
  return true;
}

/** A 32-bit checksum of the cache's bytes (FNV-1a over 32-bit words, then the rest). */
function checksum(data: Buffer): number {
  let hash = 0x811c9dc5;
  const words = Math.floor(data.length / 4);
  for (let i = 0; i < words; i++) hash = Math.imul(hash ^ data.readUInt32LE(i * 4), 0x01000193);
  for (let i = words * 4; i < data.length; i++) hash = Math.imul(hash ^ data[i]!, 0x01000193);
  return hash >>> 0;
}

/** The cache without its checksum, or undefined when it is missing or its bytes do not match. */
function readCache(file: string): Buffer | undefined {
  try {
    const stored = readFileSync(file);
    if (stored.length <= 4) return undefined;
    const data = stored.subarray(0, stored.length - 4);
    return checksum(data) === stored.readUInt32LE(stored.length - 4) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (hot runs many at once), replacing the caches of other builds for this Node. */
function writeCache(script: vm.Script, dir: string, prefix: string, cacheFile: string): void {
  try {
    const data = script.createCachedData();
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(checksum(data));
    const temp = `${cacheFile}.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, Buffer.concat([data, trailer]), { flag: 'wx' });
    renameSync(temp, cacheFile);
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix)) continue;
      const other = path.join(dir, name);
      const stale = name.endsWith('.cache') ? other !== cacheFile : name.endsWith('.tmp') && Date.now() - statSync(other).mtimeMs > STALE_TEMP_MS;
      if (stale) rmSync(other, { force: true });
    }
  } catch {
    // A read-only install: every start compiles the bundle, as it would without the cache.
  }
}

launch();
