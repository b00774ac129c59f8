import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's go (golang-go, Go 1.19 on bookworm); another one can be named with GO_PATH. */
export const GO = process.env.GO_PATH ?? '/usr/bin/go';

/** The one command that provides the Go tests' toolchain on Debian. */
const INSTALL = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go';

/**
 * The Go tests' toolchain: there already, or installed from Debian's packages when the test runs as
 * root on a machine with apt-get (a fresh CI machine); anywhere else the error says what to run.
 */
export function ensureGo(): string {
  if (existsSync(GO)) return GO;
  const canInstall = process.env.GO_PATH === undefined && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) throw new Error(`no go at ${GO}: run \`sudo sh -c '${INSTALL}'\`, or install Go from https://go.dev/dl and set GO_PATH`);
  execFileSync('/bin/sh', ['-c', INSTALL], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  if (!existsSync(GO)) throw new Error(`installing Debian's golang-go did not provide ${GO}`);
  return GO;
}

/**
 * Environment for go under hot: go on PATH, and a writable build cache and module path. With a
 * usable HOME, Go's own defaults (~/.cache/go-build, ~/go) are kept, so the cache stays warm across
 * runs; without one, a per-user directory in the system temp dir that outlives the test, for the same reason.
 */
export function goEnv(): NodeJS.ProcessEnv {
  const go = ensureGo();
  const env: NodeJS.ProcessEnv = { PATH: `${path.dirname(go)}${path.delimiter}${process.env.PATH ?? ''}` };
  if (process.env.GOCACHE && process.env.GOPATH) return env;
  if (hasUsableHome()) return env;
  const base = path.join(os.tmpdir(), `hot-test-go-${process.getuid?.() ?? 'user'}`);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return { ...env, GOCACHE: path.join(base, 'cache'), GOPATH: path.join(base, 'path') };
}

function hasUsableHome(): boolean {
  const home = process.env.HOME;
  if (!home || !path.isAbsolute(home)) return false;
  try {
    accessSync(home, constants.W_OK);
    return true;
  } catch {
    // Read-only or missing home (a system user, a container's arbitrary uid): use the temp dir.
    return false;
  }
}
