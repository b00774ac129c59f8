import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { act, output, until, watching } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const APP = "console.log(`app up ${process.pid}`);\nsetInterval(() => {}, 1000);\n";

/** Hooks run in their own processes: a step that waits until the log they write matches. */
function logMatches(file: string, pattern: RegExp) {
  return until(`${file} matches ${String(pattern)}`, () => {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    return pattern.test(text) && text;
  });
}

describe('hooks', () => {
  const session = useSession();

  it('run before and after the build and after each restart, with changed paths only in HOT_CHANGED', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write(
      '.hotrc.toml',
      [
        'bin = "node app.js"',
        '[hooks]',
        'pre_build = \'echo "pre_build [$HOT_CHANGED]" >> hooks.log\'',
        'post_build = \'echo "post_build [$HOT_CHANGED] build_ms=$HOT_BUILD_MS" >> hooks.log\'',
        'on_restart = \'echo "on_restart pid=$HOT_PID [$HOT_CHANGED]" >> hooks.log\'',
        '',
      ].join('\n'),
    );
    const hot = session.run(project, []);
    const log = await hot.interact(
      watching(),
      output(/started node app\.js/),
      logMatches(project.path('hooks.log'), /on_restart pid=\d+ \[\]/),
      // A file name that would run a command if it ever reached a shell unquoted.
      act('write $(touch pwned).js', () => project.write('$(touch pwned).js', '// data\n')),
      output(/restarting: \$\(touch pwned\)\.js changed/),
      logMatches(project.path('hooks.log'), /on_restart pid=\d+ \[.*\$\(touch pwned\)\.js\]/),
    );
    const lines = log.trim().split('\n');
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['pre_build', 'post_build', 'on_restart', 'pre_build', 'post_build', 'on_restart']);
    expect(lines[3]).toBe(`pre_build [${project.path('$(touch pwned).js')}]`);
    expect(lines[4]).toMatch(/^post_build \[.*\] build_ms=0$/);
    expect(existsSync(project.path('pwned'))).toBe(false);
  });

  it('a failing pre_build counts as a failed build: the running program is kept', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('build-allowed', '');
    project.write('.hotrc.toml', 'bin = "node app.js"\n[hooks]\npre_build = "test -e build-allowed"\n');
    const hot = session.run(project, []);
    await hot.interact(
      watching(),
      output(/started node app\.js/),
      output(/app up \d+/),
      act('forbid the build, then edit app.js', () => {
        rmSync(project.path('build-allowed'));
        project.write('app.js', `${APP}// edited\n`);
      }),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(/hooks\.pre_build \(test -e build-allowed\) exited with code 1/),
    );
    expect(hot.count(/app up/)).toBe(1);
  });

  it('on_crash gets the exit code and the pid', async () => {
    const project = session.project();
    project.write('app.js', "console.log('crashing');\nprocess.exit(3);\n");
    project.write('.hotrc.toml', 'bin = "node app.js"\n[restart]\nmax_restarts = 1\n[hooks]\non_crash = \'echo "crash code=$HOT_EXIT_CODE signal=[$HOT_SIGNAL] pid=$HOT_PID" >> crashes.log\'\n');
    const hot = session.run(project, []);
    const log = await hot.interact(output(/crashed 2 times/), logMatches(project.path('crashes.log'), /(crash code=3 signal=\[\] pid=\d+\n){2}/));
    expect(log.trim().split('\n')).toHaveLength(2);
  });

  it('a hook that writes into watched files is stopped after a few rounds', async () => {
    const project = session.project();
    project.write('app.js', APP);
    project.write('.hotrc.toml', 'bin = "node app.js"\n[hooks]\non_restart = "sleep 0.6; date +%s%N > generated.js"\n');
    const hot = session.run(project, []);
    await hot.interact(watching(), output(/generated\.js changed while a hook ran, for the 3rd time in a row: a hook seems to write into watched files/));
    expect(hot.count(/restarting:/)).toBeLessThanOrEqual(4);
  });
});
