import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

describe('what the pipeline and job redesign fixed', () => {
  const session = useSession();

  it('says a start timed out (it never listened, hot stopped it) and gives on_crash the real pid', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('up, never listening');\nsetInterval(() => {}, 1000);\n");
    project.write(
      '.hotrc.toml',
      `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = 0\nready_timeout = 1000\n[hooks]\non_crash = 'echo "pid=$HOT_PID code=$HOT_EXIT_CODE signal=$HOT_SIGNAL" >> crashes.log'\n`,
    );
    const hot = session.run(project, []);
    await hot.interact(
      output(/the app failed to start: it did not listen on its PORT within 1000 ms, so hot stopped it/),
      output(/app failed to start, restarting in \d+ ms \(1\/5\)/),
      until('on_crash wrote its line', () => readIfThere(project.path('crashes.log'))),
    );
    expect(hot.output()).not.toMatch(/exited with code 1/);
    expect(project.read('crashes.log').split('\n')[0]).toMatch(/^pid=[1-9]\d* code= signal=$/);
  });

  it('leaves no hook running once hot has stopped, even one that ignores SIGTERM', async () => {
    const project = session.project();
    project.write('app.mjs', "console.log('app up');\nsetInterval(() => {}, 1000);\n");
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nkill_timeout = 500\n[hooks]\non_restart = "trap '' TERM; echo hook running; sleep 60"\n`);
    const hot = session.run(project, []);
    await hot.interact(output(/hook running/), act('Ctrl-C', () => hot.signal('SIGINT')));
    expect(await liveWhenHotExits(hot)).toBe(0);
  });

  it('passes an edited NODE_OPTIONS to the next generation with strategy = "socket"', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('app.mjs', "import http from 'node:http';\nhttp.createServer((req, res) => res.end(`${process.env.NODE_OPTIONS}\\n`)).listen(process.env.PORT);\n");
    const config = (size: number) => `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { NODE_OPTIONS = "--max-old-space-size=${size}" }\n[serve]\nport = ${port}\nstrategy = "socket"\n`;
    project.write('.hotrc.toml', config(101));
    const hot = session.run(project, []);
    await hot.interact(
      answer(port, /--max-old-space-size=101/),
      watching(),
      act('edit NODE_OPTIONS in the config', () => project.write('.hotrc.toml', config(202))),
      answer(port, (body) => body.includes('--max-old-space-size=202') && body.includes('--import')),
    );
  });
});

/**
 * The processes left the moment hot's own process exits: not left to the watchdog, which acts only
 * after that (and before hot's output ends, since what it started shares hot's stdout).
 */
async function liveWhenHotExits(hot: HotProcess): Promise<number> {
  if (hot.child.exitCode === null && hot.child.signalCode === null) await new Promise((resolve) => hot.child.once('exit', resolve));
  return hot.liveProcesses();
}

/** The file's text once it has some, else undefined (not written yet). */
function readIfThere(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > 0 ? text : undefined;
  } catch {
    // Not written yet.
    return undefined;
  }
}

describe('close() during a [run] change', () => {
  const session = useSession();

  it('starts no new program once hot is closing, even while the old one is still stopping', async () => {
    const project = session.project();
    // Takes a moment to stop, so Ctrl-C lands while hot is stopping it for the new [run] settings.
    project.write(
      'app.mjs',
      "console.log(`starting ${process.env.MODE}`);\nprocess.on('SIGTERM', () => { console.log(`stopping ${process.env.MODE}`); setTimeout(() => process.exit(0), 1000); });\nsetInterval(() => {}, 1000);\n",
    );
    const config = (mode: string) => `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { MODE = "${mode}" }\n`;
    project.write('.hotrc.toml', config('one'));
    const hot = session.run(project, []);
    await hot.interact(
      output(/starting one/),
      watching(),
      act('change [run] env', () => project.write('.hotrc.toml', config('two'))),
      output(/stopping one/),
      act('Ctrl-C', () => hot.signal('SIGINT')),
    );
    expect(await liveWhenHotExits(hot)).toBe(0);
    expect(hot.output()).not.toMatch(/starting two/);
  });
});
