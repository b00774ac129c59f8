import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { migrateConfig } from '../../../src/config/migrate.js';

const keysOf = (text: string) => parse(text) as Record<string, unknown>;

describe('migrateConfig from .air.toml', () => {
  it('writes air\'s build, run, exclude and hooks in hot\'s keys, and air\'s defaults where keys are missing', () => {
    const air = [
      'tmp_dir = "tmp"',
      '[build]',
      'include_ext = ["go", "tmpl"]',
      'include_dir = ["cmd", "internal/"]',
      'exclude_dir = ["assets", "vendor"]',
      'exclude_regex = ["_test\\\\.go", "\\\\.gen\\\\.go$"]',
      'full_bin = "APP_ENV=dev ./tmp/main"',
      'args_bin = ["-v"]',
      'kill_delay = "1500ms"',
      'send_interrupt = true',
      'stop_on_error = true',
      'rerun = true',
      'rerun_delay = 250',
      'pre_cmd = ["make gen", "echo ok"]',
      'post_cmd = ["docker compose stop"]',
      'delay = 200',
      '[screen]',
      'clear_on_rebuild = true',
      '[misc]',
      'clean_on_exit = true',
      '',
    ].join('\n');
    const { text, unconverted } = migrateConfig('/p/.air.toml', air);
    expect(keysOf(text)).toEqual({
      include: ['cmd/**/*.go', 'cmd/**/*.tmpl', 'internal/**/*.go', 'internal/**/*.tmpl', 'go.mod', 'go.sum'],
      exclude: ['assets/', 'vendor/', 'tmp/', 'testdata/', '**/*_test.go'],
      delay: 200,
      bin: 'APP_ENV=dev ./tmp/main',
      clear: true,
      build: { cmd: 'go build -o ./tmp/main .' },
      run: { args: ['-v'], kill_signal: 'SIGINT', kill_timeout: 1500, stop_on_error: true },
      restart: { on_clean_exit: 'restart', clean_exit_delay: 250 },
      hooks: { pre_build: 'make gen && echo ok', on_exit: 'docker compose stop' },
    });
    expect(unconverted).toBe(2);
    expect(text).toContain('# .air.toml: build.exclude_regex = "\\\\.gen\\\\.go$": hot excludes by glob');
    expect(text).toContain('# .air.toml: misc.clean_on_exit = true: hot leaves the binary where build.cmd wrote it');
  });

  it.each([
    ['500', 500],
    ['1500000000', 1500],
    ['"1m30s"', 90_000],
    ['"250ms"', 250],
  ])('reads air\'s kill_delay = %s as %i ms (integers below 1,000,000 are milliseconds to air)', (given, ms) => {
    expect(keysOf(migrateConfig('/p/.air.toml', `[build]\nkill_delay = ${given}\n`).text).run).toEqual({ kill_timeout: ms });
  });

  it('takes air\'s entrypoint, a path or an argv, as bin', () => {
    expect(keysOf(migrateConfig('/p/.air.toml', '[build]\nentrypoint = "./tmp/server"\n').text).bin).toBe('./tmp/server');
    expect(keysOf(migrateConfig('/p/.air.toml', '[build]\nentrypoint = ["./tmp/server", "-v"]\n').text).bin).toEqual(['./tmp/server', '-v']);
  });

  it('keeps air\'s log as a comment: log_file would take the program\'s terminal away', () => {
    const { text } = migrateConfig('/p/.air.toml', '[build]\nlog = "build-errors.log"\n');
    expect(keysOf(text).log_file).toBeUndefined();
    expect(text).toContain('# .air.toml: build.log = "build-errors.log": air keeps build errors there');
  });

  it('names the value hot cannot take, and the file to fix', () => {
    expect(() => migrateConfig('/p/.air.toml', '[build]\ndelay = -5\n')).toThrow(/delay must be a number of milliseconds/);
    expect(() => migrateConfig('/p/.air.toml', '[build\n')).toThrow(/^\.air\.toml is not valid TOML/);
  });
});

describe('migrateConfig from nodemon.json', () => {
  it('writes watch and ext as include, exec and script as bin, env, signal and events as hot keys', () => {
    const nodemon = { watch: ['src', 'config/app.json'], ext: 'ts,json', ignore: ['src/**/*.spec.ts'], exec: 'node --import tsx', script: 'src/index.ts', env: { PORT: 3000 }, delay: 800, signal: 'SIGINT', legacyWatch: true, events: { restart: 'echo r', crash: 'echo c', start: 'echo s' }, verbose: true };
    const { text, converted, unconverted } = migrateConfig('/p/nodemon.json', JSON.stringify(nodemon));
    expect(keysOf(text)).toEqual({
      include: ['src/**/*.ts', 'src/**/*.json', 'config/app.json'],
      exclude: ['src/**/*.spec.ts'],
      delay: 800,
      bin: 'node --import tsx src/index.ts',
      poll: true,
      run: { env: { PORT: '3000' }, kill_signal: 'SIGINT' },
      hooks: { on_restart: 'echo r', on_crash: 'echo c' },
    });
    expect([converted, unconverted]).toEqual([9, 2]);
  });

  it.each([
    ['2500', 2500],
    ['"2500"', 2500],
    ['"2500ms"', 2500],
  ])('reads nodemon\'s delay = %s as %i ms', (given, ms) => {
    expect(keysOf(migrateConfig('/p/nodemon.json', `{ "delay": ${given}, "script": "a.js" }`).text).delay).toBe(ms);
  });

  it('runs the script with node when there is no exec, and says what to set when there is neither', () => {
    expect(keysOf(migrateConfig('/p/nodemon.json', '{ "script": "server.js" }').text).bin).toBe('node server.js');
    expect(migrateConfig('/p/nodemon.json', '{ "ext": "js" }').text).toContain('# nodemon.json: exec = null: nodemon ran package.json main: set bin');
    expect(() => migrateConfig('/p/nodemon.json', '[1]')).toThrow('nodemon.json is not a JSON object');
  });
});
