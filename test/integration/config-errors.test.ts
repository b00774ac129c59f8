import { describe, expect, it } from 'vitest';
import { exit } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

/** Each user mistake: one clear message naming the place, exit code 2, and never a stack trace. */
describe('config mistakes', () => {
  const session = useSession();

  async function runExpectingError(args: string[], fixtureFile?: string): Promise<string> {
    const project = session.project('broken-config');
    if (fixtureFile) project.write('.hotrc.toml', project.read(fixtureFile));
    const hot = session.run(project, args);
    const { code } = await hot.interact(exit());
    const output = hot.output();
    expect(code, output).toBe(2);
    expect(output).not.toMatch(/^\s+at /m);
    expect(hot.liveProcesses()).toBe(0);
    return output;
  }

  it('shows a TOML syntax error with file:line:col and a code frame', async () => {
    const output = await runExpectingError([], 'syntax-error.toml');
    expect(output).toMatch(/\.hotrc\.toml:2:1: invalid TOML: /);
    expect(output).toContain('include = ["src/**/*.ts"');
    expect(output).toMatch(/> 2 \| delay = 100/);
    expect(output).toMatch(/\|\s\^/);
  });

  it('suggests the key an unknown key was probably meant to be', async () => {
    const output = await runExpectingError([], 'unknown-key.toml');
    expect(output).toContain('.hotrc.toml:2: unknown key "delya", did you mean "delay"?');
  });

  it('says where a key in the wrong table belongs', async () => {
    const output = await runExpectingError([], 'misplaced-key.toml');
    expect(output).toContain('.hotrc.toml:2: unknown key "kill_timeout": "kill_timeout" belongs in the [run] table (run.kill_timeout)');
  });

  it('names the expected type and what it got', async () => {
    const output = await runExpectingError([], 'wrong-type.toml');
    expect(output).toContain('.hotrc.toml:3: delay must be a number of milliseconds');
    expect(output).toContain('got "fast" (string)');
  });

  it('reports a --config file that does not exist', async () => {
    const output = await runExpectingError(['--config', 'nope/.hotrc.toml']);
    expect(output).toContain('config file not found: nope/.hotrc.toml');
  });

  it('asks for bin or build.entry when there is nothing to run', async () => {
    const output = await runExpectingError([], 'nothing-to-run.toml');
    expect(output).toContain('nothing to run: set bin');
    expect(output).toContain('build.entry');
  });

  it('rejects a bad flag value like a bad key', async () => {
    const output = await runExpectingError(['--delay', 'soon', '--', 'node', '-e', '0']);
    expect(output).toContain('--delay must be a number of milliseconds');
  });

  it('treats an unknown word as a missing entry file, not a stack trace', async () => {
    const output = await runExpectingError(['frob']);
    expect(output).toContain('frob is not a file nor a hot command');
  });

  it('says what to do when there is no config and nothing to run', async () => {
    const output = await runExpectingError([]);
    expect(output).toContain('no .hotrc.toml in . and nothing to run');
    expect(output).toContain('hot init');
  });

  it('rejects an unknown flag', async () => {
    const output = await runExpectingError(['--dealy', '5', '--', 'node', '-e', '0']);
    expect(output).toMatch(/Unknown option `--dealy`/);
  });
});
