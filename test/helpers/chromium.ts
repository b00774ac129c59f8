import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium; another one can be named with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The one command that provides the browser test's Chromium on Debian. */
const INSTALL = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium';

/**
 * The browser test's Chromium: there already, or installed from Debian's packages when the test runs
 * as root on a machine with apt-get (a fresh CI machine); anywhere else the error says what to run.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const canInstall = process.env.CHROMIUM_PATH === undefined && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) throw new Error(`no Chromium at ${CHROMIUM}: run \`sudo sh -c '${INSTALL}'\`, or set CHROMIUM_PATH to another Chromium`);
  execFileSync('/bin/sh', ['-c', INSTALL], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  if (!existsSync(CHROMIUM)) throw new Error(`installing Debian's chromium did not provide ${CHROMIUM}`);
  return CHROMIUM;
}
