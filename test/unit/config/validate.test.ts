import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { convertFlagValue, validateUserConfig } from '../../../src/config/validate.js';

const FILE = '.hotrc.toml';

function validate(source: string) {
  return validateUserConfig(parse(source) as Record<string, unknown>, { displayFile: FILE, source });
}

function errorOf(source: string): ConfigError {
  try {
    validate(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for:\n${source}`);
}

describe('validateUserConfig: accepted values', () => {
  it('converts every kind of setting to hot units', () => {
    const config = validate(`
include = "src/**/*.ts"
delay = "2s"
bin = "node dist/server.js"
gitignore = false

[run]
env = { PORT = 3000, DEBUG = true, NAME = "x" }
env_file = ".env"
kill_signal = "term"
kill_timeout = "1.5s"

[restart]
max_restarts = 3
window = "1m"
backoff = { initial = 50, max = "250ms" }
`);
    expect(config.include).toEqual(['src/**/*.ts']);
    expect(config.delayMs).toBe(2000);
    expect(config.bin).toEqual({ kind: 'argv', argv: ['node', 'dist/server.js'] });
    expect(config.gitignore).toBe(false);
    expect(config.run).toMatchObject({
      env: { PORT: '3000', DEBUG: 'true', NAME: 'x' },
      envFile: ['.env'],
      killSignal: 'SIGTERM',
      killTimeoutMs: 1500,
    });
    expect(config.restart).toEqual({ backoffInitialMs: 50, backoffMaxMs: 250, maxRestarts: 3, windowMs: 60_000 });
  });

  it.each([
    ['delay = 250', 250],
    ['delay = "250ms"', 250],
    ['delay = "2s"', 2000],
    ['delay = " 3 s "', 3000],
    ['delay = "0.5s"', 500],
    ['delay = 12.4', 12],
  ])('%s -> %i ms', (source, expected) => {
    expect(validate(source).delayMs).toBe(expected);
  });

  it.each([
    ['term', 'SIGTERM'],
    ['SIGINT', 'SIGINT'],
    ['sighup', 'SIGHUP'],
  ])('normalises the signal %s to %s', (raw, expected) => {
    expect(validate(`[run]\nkill_signal = "${raw}"`).run?.killSignal).toBe(expected);
  });

  it('keeps an argv array as given and sends shell syntax to the shell', () => {
    expect(validate('bin = ["node", "my server.js"]').bin).toEqual({ kind: 'argv', argv: ['node', 'my server.js'] });
    expect(validate('[build]\ncmd = "tsc -p . && echo ok"').build?.cmd).toEqual({ kind: 'shell', line: 'tsc -p . && echo ok' });
  });

  it('runs a multi-line command as a script under the shell, line breaks kept', () => {
    expect(validate('bin = """\nrm -rf dist\nmkdir dist\n"""').bin).toEqual({ kind: 'shell', line: 'rm -rf dist\nmkdir dist' });
  });
});

describe('validateUserConfig: error messages', () => {
  it.each([
    ['a typo suggests the key', 'delya = 5', '.hotrc.toml:1: unknown key "delya", did you mean "delay"?'],
    ['a typo inside a table suggests the dotted key', '[run]\nkill_timout = 5', '.hotrc.toml:2: unknown key "run.kill_timout", did you mean "run.kill_timeout"?'],
    ['a run key at the top says it belongs in [run]', 'delay = 5\nkill_timeout = 5', '.hotrc.toml:2: unknown key "kill_timeout": "kill_timeout" belongs in the [run] table (run.kill_timeout)'],
    ['a top-level key in a table says it belongs at the top', '[run]\ndelay = 5', '.hotrc.toml:2: unknown key "run.delay": "delay" belongs at the top of the file (delay)'],
    ['an unrelated key lists the known keys', 'watch = true', 'unknown key "watch"; known keys here: include, exclude, delay, bin, gitignore, poll, build, run, clear, log_file, stdin, hooks, check, restart, serve'],
    ['a string delay', 'delay = "fast"', '.hotrc.toml:1: delay must be a number of milliseconds (e.g. 500) or a duration such as "2s", got "fast" (string)'],
    ['a negative delay', 'delay = -1', 'delay must be a number of milliseconds (e.g. 500) or a duration such as "2s", got -1 (number)'],
    ['a boolean as a string', 'gitignore = "yes"', 'gitignore must be true or false, got "yes" (string)'],
    ['a list of numbers', 'include = [1, 2]', 'include must be an array of strings, e.g. ["src/**/*.ts"], got [1,2] (array)'],
    ['an empty bin', 'bin = ""', 'bin must be a command line ("node dist/server.js") or an array of arguments (["node", "dist/server.js"]), got "" (string)'],
    ['a fractional count', '[restart]\nmax_restarts = 1.5', '.hotrc.toml:2: restart.max_restarts must be a whole number (0 or more), got 1.5 (number)'],
    ['a table that is a number', 'run = 5', 'run must be a table (a [run] section or { … }), got 5 (number)'],
    ['a nested env value', '[run]\nenv = { A = [1] }', 'run.env must be a table of strings, e.g. { NODE_ENV = "development" }, got { … } (table)'],
    ['a misspelt signal', '[run]\nkill_signal = "SIGTREM"', '.hotrc.toml:2: run.kill_signal must be a signal name such as "SIGTERM" (did you mean "SIGTERM"?), got "SIGTREM" (string)'],
    ['a signal number', '[run]\nkill_signal = 15', 'run.kill_signal must be a signal name such as "SIGTERM" or "SIGINT", got 15 (number)'],
    ['build.cmd with build.entry', '[build]\ncmd = "tsc"\nentry = "src/a.ts"', '.hotrc.toml:3: build.cmd and build.entry are two ways to build: keep one'],
    ['build.outfile without build.entry', '[build]\ncmd = "tsc"\noutfile = "out.js"', '.hotrc.toml:3: build.outfile needs build.entry'],
    ['build.output with build.entry', '[build]\nentry = "src/a.ts"\noutput = "dist"', '.hotrc.toml:3: build.output is for build.cmd'],
    ['an unclosed quote in a command', 'delay = 5\nbin = "node \\"my server.js"', '.hotrc.toml:2: bin must be a command line whose quotes and substitutions are closed (the double quote at column 6 is never closed), got "node \\"my server.js" (string)'],
    ['an unclosed ${ in a command', 'bin = "echo ${"', '.hotrc.toml:1: bin must be a command line whose quotes and substitutions are closed (the "${" at column 6 is never closed), got "echo ${" (string)'],
    ['an unclosed quote in a script', `[build]\ncmd = """\nrm -rf dist\necho 'done\n"""`, '.hotrc.toml:2: build.cmd must be a command line whose quotes and substitutions are closed (the single quote at line 2, column 6 is never closed)'],
    ['a NUL in an argument', 'bin = ["node", "a\\u0000.js"]', '.hotrc.toml:1: bin must be an array of arguments without NUL characters'],
    ['a NUL in an env value', '[run]\nkill_timeout = 5\nenv = { A = "1", TOKEN = "a\\u0000b" }', '.hotrc.toml:3: run.env.TOKEN must be a string without NUL characters ("\\u0000" cannot be passed in an environment), got "a\\u0000b" (string)'],
    ['a NUL in an env value of a [run.env] table', '[run.env]\nA = "1"\nTOKEN = "\\u0000"', '.hotrc.toml:3: run.env.TOKEN must be a string without NUL characters'],
    ['run.launcher without build.entry', '[run]\nlauncher = "fastify start"', '.hotrc.toml:2: run.launcher needs build.entry (the file the launcher loads)'],
    ['run.launcher beside bin', 'bin = "node a.js"\n[build]\nentry = "a.ts"\n[run]\nlauncher = "fastify start"', '.hotrc.toml:5: bin and run.launcher are two ways to run: keep one'],
    ['run.launcher with shell syntax', '[build]\nentry = "a.ts"\n[run]\nlauncher = "fastify start && echo"', '.hotrc.toml:4: run.launcher must be a program from node_modules/.bin and its arguments, without shell syntax, got "fastify start && echo"'],
    ['a check mode that is no choice', '[check]\ntypes = "strict"', '.hotrc.toml:2: check.types must be true, false or "block", got "strict" (string)'],
    ['backoff initial above max', '[restart.backoff]\ninitial = "2s"\nmax = 500', '.hotrc.toml:1: restart.backoff.initial (2000) must not be larger than restart.backoff.max (500)'],
  ])('%s', (_name, source, expected) => {
    expect(errorOf(source).message).toContain(expected);
  });

  it('reports every problem at once, each with its own line, and locates the first', () => {
    const error = errorOf('# settings\ndelya = 5\n\n[run]\nkill_timeout = "soon"\n');
    expect(error.message.split('\n')).toEqual([
      '.hotrc.toml:2: unknown key "delya", did you mean "delay"?',
      '.hotrc.toml:5: run.kill_timeout must be a number of milliseconds (e.g. 500) or a duration such as "2s", got "soon" (string)',
    ]);
    expect(error.location).toEqual({ file: FILE, line: 2 });
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('leaves combination checks until each value is valid on its own', () => {
    const error = errorOf('[build]\ncmd = 5\nentry = "src/a.ts"');
    expect(error.message).toContain('build.cmd must be a command line');
    expect(error.message).not.toContain('two ways to build');
  });
});

describe('convertFlagValue', () => {
  it('converts like the file key of the same setting', () => {
    expect(convertFlagValue('delay', '2s')).toBe(2000);
    expect(convertFlagValue('delay', 300)).toBe(300);
    expect(convertFlagValue('kill-signal', 'int')).toBe('SIGINT');
    expect(convertFlagValue('kill-timeout', '1m')).toBe(60_000);
    expect(convertFlagValue('include', ['src/**', 'lib/**'])).toEqual(['src/**', 'lib/**']);
  });

  it('uses the last value when a single-valued flag is repeated', () => {
    expect(convertFlagValue('delay', [100, '3s'])).toBe(3000);
  });

  it('rejects a bad value with a ConfigError naming the flag', () => {
    expect(() => convertFlagValue('delay', 'fast')).toThrow(ConfigError);
    expect(() => convertFlagValue('delay', 'fast')).toThrow('--delay must be a number of milliseconds (e.g. 500) or a duration such as "2s", got "fast" (string)');
    expect(() => convertFlagValue('kill-signal', 'SIGNOPE')).toThrow(/^--kill-signal must be a signal name/);
  });

  it('throws an internal error for a flag no file setting has', () => {
    expect(() => convertFlagValue('nope', 1)).toThrow('no setting has the flag --nope');
  });
});

describe('validateUserConfig: [serve]', () => {
  it('accepts a full [serve] table', () => {
    const config = validate('bin = "node a.js"\n[serve]\nport = 3000\nstrategy = "socket"\nready_pattern = "^listening"\nready_timeout = "5s"\ndrain_timeout = 500\n');
    expect(config.serve).toEqual({ port: 3000, host: undefined, strategy: 'socket', proxy: undefined, readyPattern: '^listening', readyTimeoutMs: 5000, drainTimeoutMs: 500 });
  });

  it('accepts serve.listen as an array of tables, inline or [[serve.listen]], names defaulting to systemd\'s "unknown"', () => {
    expect(validate('bin = "./app"\n[serve]\nlisten = [{ port = 8080, name = "http" }, { port = 8443, name = "https" }]\n').serve?.listen).toEqual([
      { port: 8080, name: 'http' },
      { port: 8443, name: 'https' },
    ]);
    expect(validate('bin = "./app"\n[[serve.listen]]\nport = 8080\n[[serve.listen]]\nport = 0\nname = "admin"\n').serve?.listen).toEqual([
      { port: 8080, name: 'unknown' },
      { port: 0, name: 'admin' },
    ]);
  });

  it('accepts serve.allowed_hosts as a list of names or true', () => {
    expect(validate('bin = "node a.js"\n[serve]\nport = 3000\nallowed_hosts = ["myapp.test", ".example.test"]\n').serve?.allowedHosts).toEqual(['myapp.test', '.example.test']);
    expect(validate('bin = "node a.js"\n[serve]\nport = 3000\nallowed_hosts = true\n').serve?.allowedHosts).toBe(true);
  });

  it.each([
    ['[serve]\nport = 70000\n', '.hotrc.toml:3: serve.port must be a port number from 0 to 65535, got 70000 (number)'],
    ['[serve]\nport = 3000\nstrategy = "blue-green"\n', '.hotrc.toml:4: serve.strategy must be one of "proxy", "socket", "restart", got "blue-green" (string)'],
    ['[serve]\nport = 3000\nproxy = "udp"\n', '.hotrc.toml:4: serve.proxy must be one of "http", "tcp", got "udp" (string)'],
    ['[serve]\nstrategy = "proxy"\n', '.hotrc.toml:3: serve.strategy = "proxy" needs serve.port, the public port hot listens on'],
    ['[serve]\nport = 3000\nstrategy = "socket"\nready_pattern = "("\n', '.hotrc.toml:5: serve.ready_pattern must be a regular expression, e.g. "listening on", got "(" (string)'],
    ['[serve]\nport = 3000\nready_pattern = "up"\n', '.hotrc.toml:4: serve.ready_pattern is for strategy = "socket" (the proxy sees when the program listens by itself)'],
    ['[serve]\nport = 3000\nallowed_hosts = "myapp.test"\n', '.hotrc.toml:4: serve.allowed_hosts must be true, or an array of host names, e.g. ["myapp.test", ".example.test"], got "myapp.test" (string)'],
    ['[serve]\nport = 3000\nallowed_hosts = false\n', '.hotrc.toml:4: serve.allowed_hosts must be true, or an array of host names, e.g. ["myapp.test", ".example.test"], got false (boolean)'],
    ['[serve]\nport = 3000\nallowed_hosts = ["myapp.test:3000"]\n', '.hotrc.toml:4: serve.allowed_hosts must be host names without a scheme or port, e.g. ["myapp.test", ".example.test"] ("myapp.test:3000" is not one), got ["myapp.test:3000"] (array)'],
    ['[serve]\nport = 3000\nallowed_hosts = ["http://myapp.test"]\n', '.hotrc.toml:4: serve.allowed_hosts must be host names without a scheme or port, e.g. ["myapp.test", ".example.test"] ("http://myapp.test" is not one), got ["http://myapp.test"] (array)'],
    ['[serve]\nport = 3000\nhold = true\n', '.hotrc.toml:4: serve.hold is for programs without serve.port: with a port, hot owns it already (leave hold out, or remove port and strategy)'],
    ['[serve]\nhold = "no"\n', '.hotrc.toml:3: serve.hold must be true or false, got "no" (string)'],
    ['[serve]\nport = 3000\nlisten = [{ port = 3001 }]\n', '.hotrc.toml:4: serve.port and serve.listen are two ways to name the ports: keep one (listen = [{ port = 8080, name = "http" }] for one or more sockets handed to the program)'],
    ['[serve]\nstrategy = "proxy"\nlisten = [{ port = 3001 }]\n', '.hotrc.toml:4: serve.listen hands the sockets to the program (strategy = "socket"); strategy = "proxy" takes one port: serve.port'],
    ['[serve]\nlisten = [{ port = 3001 }, { port = 3001 }]\n', '.hotrc.toml:3: serve.listen must be each port once (3001 is listed twice), got [{"port":3001},{"port":3001}] (array)'],
    ['[serve]\nlisten = [{ port = 3001, name = "a:b" }]\n', '.hotrc.toml:3: serve.listen must be names of letters, digits and . _ - + @, no colon (entry 1: "a:b"), got [{"port":3001,"name":"a:b"}] (array)'],
    ['[serve]\nlisten = [{ port = 3001, scheme = "https" }]\n', '.hotrc.toml:3: serve.listen must be tables with only port and name (entry 1 has "scheme"), got [{"port":3001,"scheme":"https"}] (array)'],
    ['[serve]\nlisten = [3001]\n', '.hotrc.toml:3: serve.listen must be an array of tables with a port and a name, e.g. [{ port = 8080, name = "http" }, { port = 8443, name = "https" }] (entry 1 is not a table), got [3001] (array)'],
    ['[serve]\nlisten = [{ port = 3001 }]\nhold = true\n', '.hotrc.toml:4: serve.hold is for programs without serve.port: with a port, hot owns it already (leave hold out, or remove port and strategy)'],
    ['[serve]\nport = 3000\nstrategy = "socket"\nlive_reload = true\n', '.hotrc.toml:5: serve.live_reload needs the http proxy: set serve.port (and keep strategy = "proxy", proxy = "http"), or leave hold on for a Node program'],
    ['[serve]\nhold = false\nlive_reload = true\n', '.hotrc.toml:4: serve.live_reload needs the http proxy: set serve.port (and keep strategy = "proxy", proxy = "http"), or leave hold on for a Node program'],
    ['[serve]\nallowed_hosts = ["myapp.test"]\n', '.hotrc.toml:3: serve.allowed_hosts is checked by the http proxy: keep strategy = "proxy" and proxy = "http" (other strategies never read the Host header)'],
    ['[serve]\nport = 3000\nproxy = "tcp"\nallowed_hosts = ["myapp.test"]\n', '.hotrc.toml:5: serve.allowed_hosts is checked by the http proxy: keep strategy = "proxy" and proxy = "http" (other strategies never read the Host header)'],
  ])('%j', (serve, message) => {
    expect(errorOf(`bin = "node a.js"\n${serve}`).message).toBe(message);
  });
});

describe('validateUserConfig: .air.toml keys', () => {
  it.each([
    ['[build]\nbin = "./tmp/main"', '.hotrc.toml:2: unknown key "build.bin": that is air\'s name (.air.toml); in hot it is bin, at the top of the file before any [table]: bin = "./tmp/main"'],
    ['[build]\nfull_bin = "APP_ENV=dev ./tmp/main"', 'unknown key "build.full_bin": that is air\'s name (.air.toml); in hot it is bin, at the top of the file'],
    ['[build]\ninclude_ext = ["go", "tmpl"]', 'include_ext = ["go", "tmpl"] is include = ["**/*.go", "**/*.tmpl"]'],
    ['[build]\nexclude_dir = ["tmp", "vendor"]', 'exclude_dir = ["tmp", "vendor"] is exclude = ["tmp/", "vendor/"]'],
    ['[build]\nkill_delay = 500', 'unknown key "build.kill_delay": that is air\'s name (.air.toml); in hot it is run.kill_timeout, under [run]'],
    ['[build]\nsend_interrupt = true', 'in hot it is run.kill_signal = "SIGINT", under [run]'],
    ['[build]\nstop_on_error = true', 'in hot it is run.stop_on_error, under [run]'],
    ['[build]\npre_cmd = ["echo hi"]', 'in hot it is hooks.pre_build, under [hooks]'],
    ['[build]\npost_cmd = ["echo bye"]', 'unknown key "build.post_cmd": that is air\'s name (.air.toml); in hot it is hooks.on_exit, under [hooks]'],
    ['[build]\nrerun = true', 'in hot it is restart.on_clean_exit = "restart", under [restart]'],
    ['tmp_dir = "tmp"', 'unknown key "tmp_dir": that is air\'s name (.air.toml); hot has no tmp directory of its own'],
    ['[screen]\nclear_on_rebuild = true', '.hotrc.toml:2: unknown key "screen.clear_on_rebuild": that is air\'s name (.air.toml); in hot it is clear, at the top of the file'],
    ['[log]\ntime = true', 'unknown key "log.time": that is air\'s [log] table, which hot has no equivalent for'],
  ])('%s', (source, expected) => {
    expect(() => validate(source)).toThrow(expected);
  });

  it('answers every air key of one file, each on its line', () => {
    expect(() => validate('[build]\nbin = "./tmp/main"\ndelay = 1000\nexclude_dir = ["tmp"]\n')).toThrow(
      /^\.hotrc\.toml:2: unknown key "build\.bin": [^\n]+\n\.hotrc\.toml:3: unknown key "build\.delay": [^\n]+\n\.hotrc\.toml:4: unknown key "build\.exclude_dir": [^\n]+$/,
    );
  });
});
