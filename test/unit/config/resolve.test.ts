import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { resolveConfig, type ResolveInput } from '../../../src/config/resolve.js';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, type UserConfig } from '../../../src/config/schema.js';

const ROOT = path.resolve('/projects/app');
const CONFIG = path.join(ROOT, '.hotrc.toml');
const CACHE = path.resolve('/cache/hot');

function input(overrides: Partial<ResolveInput> = {}): ResolveInput {
  return { user: {}, configFile: CONFIG, cwd: ROOT, overrides: {}, cacheDir: CACHE, displayFile: '.hotrc.toml', ...overrides };
}

describe('resolveConfig', () => {
  it('fills in the defaults around a bin', () => {
    const config = resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['node', 'server.js'] } } }));
    expect(config.build).toEqual({ kind: 'none' });
    expect(config.run).toEqual({
      command: { kind: 'argv', argv: ['node', 'server.js'] },
      cwd: ROOT,
      env: {},
      envFiles: [],
      killSignal: 'SIGTERM',
      killTimeoutMs: 3000,
      stopOnError: false,
      standby: { preloadAt: 1 },
      standbyOff: null,
    });
    expect(config.watch).toMatchObject({ root: ROOT, include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE, gitignore: true, delayMs: 10, outputs: [] });
    expect(config.serve).toEqual({ strategy: 'hold', port: null, readyTimeoutMs: 30_000, drainTimeoutMs: null, graceMs: 0, liveReload: false, allowedHosts: [] });
    expect(config.restart).toEqual({ backoffInitialMs: 100, backoffMaxMs: 5000, maxRestarts: 5, windowMs: 30_000, onCleanExit: 'wait', cleanExitDelayMs: 500 });
  });

  it('lets CLI overrides win over the file', () => {
    const config = resolveConfig(input({
      user: { bin: { kind: 'argv', argv: ['node', 'a.js'] }, delayMs: 10, include: ['a/**'], exclude: ['x/**'], run: { killSignal: 'SIGINT', killTimeoutMs: 10 } },
      overrides: { delayMs: 700, include: ['b/**'], exclude: ['y/**'], killSignal: 'SIGHUP', killTimeoutMs: 900, command: ['deno', 'run', 'b.ts'] },
    }));
    expect(config.watch.delayMs).toBe(700);
    expect(config.watch.include).toEqual(['b/**']);
    expect(config.watch.exclude).toEqual([...DEFAULT_EXCLUDE, 'y/**']);
    expect(config.run.command).toEqual({ kind: 'argv', argv: ['deno', 'run', 'b.ts'] });
    expect(config.run).toMatchObject({ killSignal: 'SIGHUP', killTimeoutMs: 900 });
  });

  it('always keeps the default excludes in front of the user ones', () => {
    const config = resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['node'] }, exclude: ['tmp/**'] } }));
    expect(config.watch.exclude).toEqual([...DEFAULT_EXCLUDE, 'tmp/**']);
    expect(config.watch.exclude).toContain('**/node_modules/**');
  });

  it('runs an esbuild entry in place under tsx, the build writing nothing', () => {
    const config = resolveConfig(input({ user: { build: { entry: 'src/server.ts' }, run: { args: ['--port', '0'] } } }));
    const entry = path.join(ROOT, 'src/server.ts');
    expect(config.build).toEqual({ kind: 'esbuild', root: ROOT, entry, outfile: null, bundlePackages: [] });
    expect(config.cache).toEqual({ dir: CACHE, privateBase: null });
    const [node, requireFlag, quiet, importFlag, loader, ...rest] = (config.run.command as { argv: string[] }).argv;
    expect([node, requireFlag, importFlag]).toEqual([process.execPath, '--require', '--import']);
    // hot's own tsx, so the project needs none, found among the preloads as under the tsx command (tsx turns source maps on itself); process.argv[1] is the entry itself.
    expect(quiet).toBe(createRequire(import.meta.url).resolve('tsx/suppress-warnings'));
    expect(loader).toBe(pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href);
    expect(rest).toEqual([entry, '--port', '0']);
    expect(config.watch.outputs).toEqual([]);
    // The program may load files its build never reads (a directory scan), so all sources are watched.
    expect(config.watch.include).toEqual(DEFAULT_INCLUDE);
  });

  it('runs an explicit outfile as a bundle with source maps', () => {
    const config = resolveConfig(input({ user: { build: { entry: 'src/server.ts', outfile: 'out/server.mjs' }, run: { args: ['--port', '0'] } } }));
    const outfile = path.join(ROOT, 'out/server.mjs');
    expect(config.build).toEqual({ kind: 'esbuild', root: ROOT, entry: path.join(ROOT, 'src/server.ts'), outfile, bundlePackages: [] });
    expect(config.run.command).toEqual({ kind: 'argv', argv: [process.execPath, '--enable-source-maps', outfile, '--port', '0'] });
    expect(config.watch.outputs).toEqual([outfile, `${outfile}.map`]);
    expect(config.watch.include).toEqual(['package.json', 'tsconfig.json']);
  });

  it('lets a monorepo package only build, and bundles the workspace packages it names', () => {
    const library = resolveConfig(input({ user: { build: { cmd: { kind: 'shell', line: 'tsc' } } }, workspaceMember: true }));
    expect(library.run.command).toBeNull();
    expect(() => resolveConfig(input({ user: { build: { cmd: { kind: 'shell', line: 'tsc' } } } }))).toThrow(/nothing to run/);
    const app = resolveConfig(input({ user: { build: { entry: 'src/a.ts' } }, bundlePackages: ['shared'], baseConfigFile: '/repo/.hotrc.toml' }));
    expect(app.build).toMatchObject({ bundlePackages: ['shared'] });
    expect(app.watch.alwaysWatch).toContain('/repo/.hotrc.toml');
  });

  it('resolves an explicit outfile and a CLI entry against their own bases', () => {
    const fromFile = resolveConfig(input({ user: { build: { entry: 'src/a.ts', outfile: 'out/a.mjs' } } }));
    expect(fromFile.build).toMatchObject({ outfile: path.join(ROOT, 'out/a.mjs') });

    const cwd = path.join(ROOT, 'packages/api');
    const fromCli = resolveConfig(input({ configFile: null, cwd, overrides: { entry: 'main.ts' }, privateCacheBase: '/home/me/.cache' }));
    expect(fromCli.build).toEqual({ kind: 'esbuild', root: cwd, entry: path.join(cwd, 'main.ts'), outfile: null, bundlePackages: [] });
    expect(fromCli.configFile).toBeNull();
    // With no config file, one appearing (or a root .env) re-reads the config.
    const appearing = [path.join(cwd, '.hotrc.toml'), path.join(cwd, '.env')];
    expect(fromCli.watch.appearing).toEqual(appearing);
    expect(fromCli.watch.alwaysWatch).toEqual(appearing);
  });

  it('resolves a build command with its output, paths and env files', () => {
    const config = resolveConfig(input({
      user: {
        bin: { kind: 'shell', line: 'node dist/a.js' },
        build: { cmd: { kind: 'argv', argv: ['tsc'] }, output: 'dist' },
        run: { cwd: 'sub', args: ['a b'], envFile: ['.env', '../shared.env'], env: { A: '1' } },
      },
    }));
    expect(config.build).toMatchObject({ kind: 'command', cwd: ROOT, output: path.join(ROOT, 'dist') });
    expect(config.run.command).toEqual({ kind: 'shell', line: "node dist/a.js 'a b'" });
    expect(config.run.cwd).toBe(path.join(ROOT, 'sub'));
    expect(config.run.env).toEqual({ A: '1' });
    expect(config.watch.outputs).toEqual([path.join(ROOT, 'dist')]);
    expect(config.watch.alwaysWatch).toEqual([CONFIG, path.join(ROOT, '.env'), path.resolve(ROOT, '../shared.env')]);
  });

  it('raises the backoff max to the initial delay when only the initial is set', () => {
    const config = resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['x'] }, restart: { backoffInitialMs: 8000 } } }));
    expect(config.restart.backoffMaxMs).toBe(8000);
  });

  it('says there is nothing to run without a bin or an entry', () => {
    const run = () => resolveConfig(input({ user: { build: { cmd: { kind: 'argv', argv: ['tsc'] } } } }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow('.hotrc.toml: nothing to run: set bin');
  });

  it('returns a deeply frozen config', () => {
    const config = resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['node', 'a.js'] } } }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.run.command)).toBe(true);
    expect(Object.isFrozen(config.watch.exclude)).toBe(true);
    expect(() => {
      (config.watch as { delayMs: number }).delayMs = 1;
    }).toThrow(TypeError);
  });
});

describe('resolveConfig: held sockets', () => {
  const node = { kind: 'argv', argv: ['node', 'server.js'] } as const;

  it.each([
    ['a node command', { bin: node }, 'hold'],
    ['node under a shell line', { bin: { kind: 'shell', line: 'node server.js && echo done' } }, 'hold'],
    ['the run-in-place entry', { build: { entry: 'src/server.ts' } }, 'hold'],
    ['hold = false', { bin: node, serve: { hold: false } }, 'restart'],
    ['strategy = "restart"', { bin: node, serve: { strategy: 'restart' } }, 'restart'],
    ['a program that is not node', { bin: { kind: 'argv', argv: ['python3', 'app.py'] } }, 'restart'],
    ['a public port', { bin: node, serve: { port: 3000 } }, 'proxy'],
  ] as const)('%s: strategy %s', (_name, user, strategy) => {
    expect(resolveConfig(input({ user: user as UserConfig })).serve.strategy).toBe(strategy);
  });

  it('refuses hold = true for a program node does not run', () => {
    const run = (): unknown => resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['python3', 'app.py'] }, serve: { hold: true } } }));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow('.hotrc.toml: serve.hold = true needs a program that node runs (bin = "node server.js", or build.entry); this one starts "python3"');
  });

  it('takes serve.drain_timeout and serve.ready_timeout when given', () => {
    const config = resolveConfig(input({ user: { bin: node, serve: { drainTimeoutMs: 500, readyTimeoutMs: 4000 } } }));
    expect(config.serve).toEqual({ strategy: 'hold', port: null, readyTimeoutMs: 4000, drainTimeoutMs: 500, graceMs: 0, liveReload: false, allowedHosts: [] });
  });
});

describe('resolveConfig: [serve]', () => {
  const bin = { kind: 'argv' as const, argv: ['node', 'app.mjs'] };

  it('turns a port into the proxy strategy with its defaults', () => {
    const config = resolveConfig(input({ user: { bin, serve: { port: 3000 } } }));
    expect(config.serve).toEqual({ strategy: 'proxy', host: 'localhost', port: 3000, mode: 'http', liveReload: false, allowedHosts: [], readyTimeoutMs: 10_000, drainTimeoutMs: 2000, graceMs: 100 });
    expect(config.run.env.PORT).toBeUndefined();
  });

  it('keeps serve.allowed_hosts in lower case without a trailing dot, or any name for true', () => {
    const listed = resolveConfig(input({ user: { bin, serve: { port: 3000, allowedHosts: ['MyApp.Test.', '.Example.test'] } } }));
    expect(listed.serve).toMatchObject({ allowedHosts: ['myapp.test', '.example.test'] });
    expect(resolveConfig(input({ user: { bin, serve: { port: 3000, allowedHosts: true } } })).serve).toMatchObject({ allowedHosts: 'any' });
  });

  it('gives the program the public port itself with the restart strategy', () => {
    const config = resolveConfig(input({ user: { bin, serve: { port: 3000, strategy: 'restart' } } }));
    expect(config.serve).toEqual({ strategy: 'restart', port: 3000 });
    expect(config.run.env.PORT).toBe('3000');
  });

  it('puts the proxy with live reload in front of held sockets only for a Node program', () => {
    expect(resolveConfig(input({ user: { bin, serve: { liveReload: true } } })).serve).toMatchObject({ strategy: 'hold', liveReload: true, allowedHosts: [] });
    expect(() => resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['./tmp/app'] }, serve: { liveReload: true } } }))).toThrow(
      '.hotrc.toml: serve.live_reload needs hot\'s http proxy: set serve.port, the port hot listens on (the program then listens on $PORT)',
    );
  });

  it('takes serve.listen as the socket strategy with its sockets in order, PORT the first; --port replaces them with one', () => {
    const listen = [{ port: 8080, name: 'http' }, { port: 8443, name: 'https' }];
    expect(resolveConfig(input({ user: { bin, serve: { listen } } })).serve).toMatchObject({ strategy: 'socket', host: '127.0.0.1', port: 8080, listeners: listen, readyPattern: null });
    expect(resolveConfig(input({ user: { bin, serve: { listen } }, overrides: { port: 9000 } })).serve).toMatchObject({ strategy: 'socket', port: 9000, listeners: [{ port: 9000, name: 'http' }] });
  });

  it('listens on the IPv4 loopback for localhost with the socket strategy, and --port wins', () => {
    const config = resolveConfig(input({ user: { bin, serve: { port: 3000, strategy: 'socket', readyPattern: '^up' } }, overrides: { port: 4000 } }));
    expect(config.serve).toMatchObject({ strategy: 'socket', host: '127.0.0.1', port: 4000, readyPattern: '^up' });
  });
});

describe('resolveConfig: [check] types', () => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const bin = { kind: 'argv', argv: ['node', 'server.js'] } as const;
  it.each<[string, Partial<ResolveInput>, string]>([
    ['on when the project has its tsc and a tsconfig', { typescript: { tsc, hasTsconfig: true, incremental: false } }, 'report'],
    ['off without a tsconfig', { typescript: { tsc, hasTsconfig: false, incremental: false } }, 'off'],
    ['off without a tsc', { typescript: { tsc: null, hasTsconfig: true, incremental: false } }, 'off'],
    ['off when the build is tsc already', { typescript: { tsc, hasTsconfig: true, incremental: false }, user: { bin, build: { cmd: { kind: 'shell', line: 'npx tsc -p .' } } } }, 'off'],
    ['"block" from the file', { typescript: { tsc, hasTsconfig: true, incremental: false }, user: { bin, check: { types: 'block' } } }, 'block'],
    ['on when asked, even with nothing found (the checker says what is missing)', { user: { bin, check: { types: true } } }, 'report'],
    ['the flag over the file', { typescript: { tsc, hasTsconfig: true, incremental: false }, user: { bin, check: { types: 'block' } }, overrides: { checkTypes: false } }, 'off'],
  ])('%s', (_what, given, types) => {
    const config = resolveConfig(input({ user: { bin }, ...given }));
    expect(config.check).toEqual({ types, tsc: given.typescript?.tsc ?? null, tsconfig: path.join(ROOT, 'tsconfig.json'), incremental: false });
  });
});

describe('resolveConfig: the stop signal of a go command', () => {
  const goRun = { kind: 'argv', argv: ['go', 'run', '.'] } as const;

  it.each([
    ['bin = "go run ."', { bin: goRun }, 'SIGINT', 'SIGTERM'],
    ['a shell line running go run', { bin: { kind: 'shell', line: 'cd api && go run ./cmd/server' } }, 'SIGINT', 'SIGTERM'],
    ['go build, then the binary', { bin: { kind: 'argv', argv: ['./tmp/app'] }, build: { cmd: { kind: 'argv', argv: ['go', 'build', '-o', './tmp/app', '.'] } } }, 'SIGTERM', 'SIGINT'],
    ['a program named like go', { bin: { kind: 'argv', argv: ['gopher', 'run'] } }, 'SIGTERM', 'SIGTERM'],
  ] as const)('%s: program %s, build %s', (_name, user, programSignal, buildSignal) => {
    const config = resolveConfig(input({ user: structuredClone(user) as never }));
    expect(config.run.killSignal).toBe(programSignal);
    if (config.build.kind === 'command') expect(config.build.killSignal).toBe(buildSignal);
  });

  it('keeps the signal the user set, in the file or on the command line', () => {
    expect(resolveConfig(input({ user: { bin: goRun, run: { killSignal: 'SIGTERM' } } })).run.killSignal).toBe('SIGTERM');
    expect(resolveConfig(input({ user: { bin: goRun }, overrides: { killSignal: 'SIGHUP' } })).run.killSignal).toBe('SIGHUP');
  });

  it("leaves an entry's tests unwatched unless exclude is set; a bin or a command keeps watching them", () => {
    const tests = ['**/*.test.*', '**/*.spec.*', '__tests__/'];
    expect(resolveConfig(input({ configFile: null, overrides: { entry: 'src/server.ts' } })).watch.exclude).toEqual([...DEFAULT_EXCLUDE, ...tests]);
    expect(resolveConfig(input({ user: { build: { entry: 'src/server.ts', outfile: 'out/server.mjs' } } })).watch.exclude).toEqual([...DEFAULT_EXCLUDE, ...tests]);
    expect(resolveConfig(input({ user: { build: { entry: 'src/server.ts' }, exclude: [] } })).watch.exclude).toEqual(DEFAULT_EXCLUDE);
    expect(resolveConfig(input({ configFile: null, overrides: { command: ['node', '--test'] } })).watch.exclude).toEqual(DEFAULT_EXCLUDE);
    expect(resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['node', 'server.js'] } } })).watch.exclude).toEqual(DEFAULT_EXCLUDE);
  });

  it('watches Go sources, not tests, testdata, vendor or tmp, when a go command runs and include is not set', () => {
    const viaCommand = resolveConfig(input({ configFile: null, overrides: { command: ['go', 'run', '.'] } }));
    expect(viaCommand.watch.include).toContain('**/*.go');
    expect(viaCommand.watch.exclude).toEqual([...DEFAULT_EXCLUDE, 'vendor/', 'testdata/', '**/*_test.go', 'tmp/']);
    const built = resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['./app'] }, build: { cmd: { kind: 'shell', line: 'cd cmd/app && go build -o ../../app' } } } }));
    expect(built.watch.include).toContain('**/*.go');
    const own = resolveConfig(input({ user: { bin: goRun, include: ['**/*.go'], exclude: ['gen/'] } }));
    expect([own.watch.include, own.watch.exclude]).toEqual([['**/*.go'], [...DEFAULT_EXCLUDE, 'gen/']]);
    expect(resolveConfig(input({ user: { bin: { kind: 'argv', argv: ['node', 'a.js'] } } })).watch.include).toEqual(DEFAULT_INCLUDE);
  });
});

describe('resolveConfig: the warm standby', () => {
  const bin = { kind: 'argv' as const, argv: ['node', '--enable-source-maps', 'dist/server.js'] };

  it('waits before the program file of a node command, and is off for other commands or when asked', () => {
    expect(resolveConfig(input({ user: { bin } })).run.standby).toEqual({ preloadAt: 2 });
    const shell = resolveConfig(input({ user: { bin: { kind: 'shell', line: 'npm run start' } } })).run;
    expect(shell.standby).toBeNull();
    expect(shell.standbyOff).toMatch(/not `node \[options\] <file>`/);
    const off = resolveConfig(input({ user: { bin, run: { standby: false } } })).run;
    expect([off.standby, off.standbyOff]).toEqual([null, '[run] standby = false']);
  });

  it('is off for the packages of a monorepo unless a package asks for it', () => {
    const member = resolveConfig(input({ user: { bin }, workspaceMember: true })).run;
    expect(member.standby).toBeNull();
    expect(member.standbyOff).toMatch(/a package of a monorepo/);
    expect(resolveConfig(input({ user: { bin, run: { standby: true } }, workspaceMember: true })).run.standby).toEqual({ preloadAt: 2 });
  });
});
