#!/usr/bin/env node
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * hot's command: the CLI bundle (hot.cjs, built from program.ts) run through V8's code cache, so
 * that a start does not compile its ~700 KB again (~25 ms of every start). The cache sits next to
 * the bundle, named by Node's version and the bundle's size and time, written once a run has
 * compiled what a start needs. Where it cannot be read or written, the bundle compiles as usual;
 * without the bundle (a build that did not bundle), the modules are imported one by one.
 */
const bundle = fileURLToPath(new URL('./hot.cjs', import.meta.url));
/** Long enough for a start to have compiled what it runs; short enough for a session to reach it. */
const WRITE_CACHE_AFTER_MS = 1500;

function runBundle(): boolean {
  let source: string;
  let stats: { size: number; mtimeMs: number };
  try {
    stats = statSync(bundle);
    source = readFileSync(bundle, 'utf8');
  } catch {
    return false;
  }
  const dir = path.dirname(bundle);
  const prefix = `.${path.basename(bundle)}-`;
  const cacheFile = path.join(dir, `${prefix}${process.version}-${process.arch}-${stats.size}-${Math.floor(stats.mtimeMs)}.cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.replace(/^#!.*/, '')}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!cachedData || script.cachedDataRejected) setTimeout(() => writeCache(script, dir, prefix, cacheFile), WRITE_CACHE_AFTER_MS).unref();
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, dir);
  return true;
}

/** Written whole or not at all (hot runs many at once), replacing the caches of other builds. */
function writeCache(script: vm.Script, dir: string, prefix: string, cacheFile: string): void {
  try {
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    for (const name of readdirSync(dir)) {
      const other = path.join(dir, name);
      if (name.startsWith(prefix) && name.endsWith('.cache') && other !== cacheFile) rmSync(other, { force: true });
    }
  } catch {
    // A read-only install: every start compiles the bundle, as it would without the cache.
  }
}

if (!runBundle()) await import('./program.js');
