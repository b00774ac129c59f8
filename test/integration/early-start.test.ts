import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import type { TempProject } from '../helpers/project.js';
import { isAlive } from '../helpers/processes.js';
import { useSession, type Session } from '../helpers/session.js';

/**
 * The early start: a second run of hot in the same place starts the program before hot has loaded,
 * as the first run started it, when nothing that run read has changed. The program cannot tell,
 * and nothing is left behind whatever happens to hot meanwhile.
 */

type Seen = { version: string; pid: number; argv: string[]; execArgv: string[]; restartCount?: string; generation?: string; changed?: string; env: string; nodeOptions?: string };

function app(session: Session, port: number): TempProject {
  const project = session.project();
  project.write('package.json', '{ "name": "early-app", "private": true }\n');
  project.write(
    'app.cjs',
    [
      "const http = require('node:http');",
      "const VERSION = 'v1';",
      'const seen = {',
      '  version: VERSION,',
      '  pid: process.pid,',
      '  argv: process.argv.slice(1),',
      '  execArgv: process.execArgv,',
      '  restartCount: process.env.HOT_RESTART_COUNT,',
      '  generation: process.env.HOT_GENERATION,',
      '  changed: process.env.HOT_CHANGED,',
      "  env: Object.keys(process.env).filter((name) => name !== 'HOT_TEST_MARKER').sort().join(','),",
      '  nodeOptions: process.env.NODE_OPTIONS,',
      '};',
      'console.log(`program ${JSON.stringify(seen)}`);',
      `http.createServer((request, response) => response.end(VERSION)).listen(${port}, '127.0.0.1');`,
      '',
    ].join('\n'),
  );
  return project;
}

function programLines(hot: HotProcess): Seen[] {
  return [...hot.output('stdout').matchAll(/^program (\{.*\})$/gm)].map((match) => JSON.parse(match[1]!) as Seen);
}

const EARLY = /the program started at launch \(pid (\d+)\) is the first start/;
const NOT_USED = /the program started at launch is not used \(([^)]*)\)/;

/** hot's per-user cache for the runs of one test, outside the project (whose directory the record stamps). */
function cacheHome(session: Session): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-early-'));
  session.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function records(cache: string): string[] {
  try {
    return readdirSync(path.join(cache, 'hot', 'launch'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(cache, 'hot', 'launch', name));
  } catch {
    return [];
  }
}

/** A run that serves v1, then stops on Ctrl-C: its record is what the next run starts from. */
async function firstRun(session: Session, project: TempProject, port: number, args: string[], cache: string): Promise<Seen> {
  const hot = session.run(project, args, { env: { XDG_CACHE_HOME: cache } });
  await hot.interact(answer(port, /^v1$/), watching(), until('the program said what it sees', () => programLines(hot)[0]));
  expect(hot.output()).not.toMatch(EARLY);
  // The record is written just after the first start.
  await hot.interact(until('the run is recorded', () => records(cache).length === 1));
  await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit(), until('nothing is left', () => hot.liveProcesses() === 0));
  return programLines(hot)[0]!;
}

/** A first run that serves v1 and stops once its record says how long the program took to listen. */
async function recordListenTime(session: Session, project: TempProject, port: number, args: string[], cache: string): Promise<void> {
  const first = session.run(project, args, { env: { XDG_CACHE_HOME: cache } });
  await first.interact(answer(port, /^v1$/), watching());
  await first.interact(until('the record says how long it took to listen', () => records(cache).length === 1 && readFileSync(records(cache)[0]!, 'utf8').includes('"listenMs"')));
  await first.interact(act('Ctrl-C', () => first.signal('SIGINT')), exit(), until('nothing is left', () => first.liveProcesses() === 0));
}

/** A project whose program is `app.cjs`, made of these lines. */
function programProject(session: Session, name: string, lines: string[]): TempProject {
  const project = session.project();
  project.write('package.json', `{ "name": "${name}", "private": true }\n`);
  project.write('app.cjs', [...lines, ''].join('\n'));
  return project;
}

/** The program's server, listening on `port` 1.5 s after it starts: long enough to Ctrl-C the launcher's wait. */
const listensLate = (port: number) => `setTimeout(() => require('node:http').createServer((request, response) => response.end('v1')).listen(${port}, '127.0.0.1'), 1500);`;

/** A second run, Ctrl-C once the program has booted and before it listens (hot not loaded yet): hot exits 130, saying nothing, and leaves nothing. Its output. */
async function ctrlCDuringTheWait(session: Session, project: TempProject, args: string[], cache: string): Promise<string> {
  const second = session.run(project, args, { env: { XDG_CACHE_HOME: cache } });
  await second.interact(output(/program booted/));
  const { code } = await second.interact(act('Ctrl-C', () => second.signal('SIGINT')), exit());
  expect(code).toBe(130);
  expect(second.output()).not.toContain('[hot]');
  await second.interact(until('nothing is left', () => second.liveProcesses() === 0));
  return second.output();
}

describe('early start', () => {
  const session = useSession();

  it.each([
    { args: ['app.cjs'], how: '`hot app.cjs` (the build gates the first start)' },
    { args: ['--', 'node', 'app.cjs'], how: '`hot -- node app.cjs`' },
  ])('a second run starts the program before hot has loaded, and the program cannot tell ($how)', async ({ args }) => {
    const port = await freePort();
    const project = app(session, port);
    const cache = cacheHome(session);
    const cold = await firstRun(session, project, port, ['--verbose', ...args], cache);

    const hot = session.run(project, ['--verbose', ...args], { env: { XDG_CACHE_HOME: cache } });
    const [, pid] = await hot.interact(output(EARLY));
    await hot.interact(answer(port, /^v1$/));
    const early = await hot.interact(until('the program said what it sees', () => programLines(hot)[0]));
    // Its socket, sent before hot was there to hear it, is held all the same.
    await hot.interact(output(new RegExp(`holding 127\\.0\\.0\\.1:${port} for the app`)));
    expect(early.pid).toBe(Number(pid));
    expect(early).toEqual({ ...cold, pid: early.pid });
    expect(early).toMatchObject({ restartCount: '0', generation: '1', changed: '' });
    // It is hot's like any other: a save restarts it, Ctrl-C stops it.
    await hot.interact(act('set v2', () => project.replace('app.cjs', "const VERSION = 'v1'", "const VERSION = 'v2'")), answer(port, /^v2$/));
    await hot.interact(until('the first version is gone', () => !isAlive(early.pid)));
    const { code } = await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit());
    expect(code).toBe(130);
    await hot.interact(until('no process with the marker is left', () => hot.liveProcesses() === 0));
  });

  it('works in a terminal too, where hot reads the keyboard and the program gets no stdin', async () => {
    const port = await freePort();
    const project = app(session, port);
    const cache = cacheHome(session);
    const first = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache }, tty: true });
    await first.interact(answer(port, /^v1$/), until('the run is recorded', () => records(cache).length === 1));
    await first.interact(act('Ctrl-C', () => first.signal('SIGINT')), exit(), until('nothing is left', () => first.liveProcesses() === 0));
    const second = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache }, tty: true });
    await second.interact(output(EARLY), answer(port, /^v1$/));
  });

  it('a change to what the last run read (its config, its sources) means no early start', async () => {
    const port = await freePort();
    const project = app(session, port);
    const cache = cacheHome(session);
    await firstRun(session, project, port, ['--verbose', 'app.cjs'], cache);

    const recorded = readFileSync(records(cache)[0]!, 'utf8');
    project.write('.hotrc.toml', '[run]\nenv = { GREETING = "hello" }\n');
    const configured = session.run(project, ['--verbose', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await configured.interact(answer(port, /^v1$/), until('the program said what it sees', () => programLines(configured)[0]));
    expect(configured.output()).not.toMatch(EARLY);
    expect(programLines(configured)[0]!.env.split(',')).toContain('GREETING');
    await configured.interact(until('the run is recorded again', () => readFileSync(records(cache)[0]!, 'utf8') !== recorded));
    await configured.interact(act('Ctrl-C', () => configured.signal('SIGINT')), exit(), until('nothing is left', () => configured.liveProcesses() === 0));

    // A broken source: the build says so, and no version of the program ever runs it.
    project.replace('app.cjs', "const VERSION = 'v1';", "const VERSION = 'v1'; )");
    const broken = session.run(project, ['--verbose', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await broken.interact(output(/app\.cjs:2:\d+/));
    expect(broken.output()).not.toMatch(EARLY);
    expect(programLines(broken)).toEqual([]);
    // Not even started and failed: Node's own parse error would say so.
    expect(broken.output()).not.toMatch(/SyntaxError/);
    await broken.interact(act('fix it', () => project.replace('app.cjs', "const VERSION = 'v1'; )", "const VERSION = 'v1';")), answer(port, /^v1$/));
  });

  it('an early program that is not what hot would start is stopped, and the right one started', async () => {
    const port = await freePort();
    const project = app(session, port);
    const cache = cacheHome(session);
    const cold = await firstRun(session, project, port, ['--verbose', '--', 'node', 'app.cjs'], cache);
    // What no record should ever say: the launcher starts it, hot finds it is not what it starts.
    const file = records(cache)[0]!;
    const record = JSON.parse(readFileSync(file, 'utf8')) as { argv: string[] };
    record.argv.splice(1, 0, '--no-warnings');
    writeFileSync(file, JSON.stringify(record));

    const hot = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    const [, why] = await hot.interact(output(NOT_USED));
    await hot.interact(answer(port, /^v1$/));
    expect(why).toBe('the command differs');
    const started = await hot.interact(until('the right program said what it sees', () => programLines(hot).find((seen) => !seen.execArgv.includes('--no-warnings'))));
    expect(started).toEqual({ ...cold, pid: started.pid });
    for (const wrong of programLines(hot).filter((seen) => seen.execArgv.includes('--no-warnings'))) await hot.interact(until('the wrong one is gone', () => !isAlive(wrong.pid)));
    await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit(), until('nothing is left', () => hot.liveProcesses() === 0));
  });

  it.each(['SIGKILL', 'SIGINT'] as const)('hot stopped by %s while the early program boots leaves nothing behind', async (signal) => {
    const port = await freePort();
    const project = app(session, port);
    const cache = cacheHome(session);
    await firstRun(session, project, port, ['--', 'node', 'app.cjs'], cache);
    const hot = session.run(project, ['--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    // As soon as the program is up: hot has at most just loaded.
    await hot.interact(until('the early program said what it sees', () => programLines(hot)[0]));
    await hot.interact(act(`send ${signal}`, () => hot.signal(signal)), exit(), until('no process with the marker is left', () => hot.liveProcesses() === 0));
  });

  it('hot loads once the early program listens, as long as the last run saw it take; a program that never listens holds nothing back', async () => {
    const port = await freePort();
    // It listens late (a database to connect to, say): hot waits for it rather than load beside it.
    const project = programProject(session, 'early-late', [
      "const http = require('node:http');",
      'setTimeout(() => {',
      "  http.createServer((request, response) => response.end('v1')).listen(" + String(port) + ", '127.0.0.1', () => console.log('program listening'));",
      '}, 300);',
    ]);
    const cache = cacheHome(session);
    const first = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await first.interact(answer(port, /^v1$/), watching());
    const listenMs = (): unknown => (records(cache).length === 1 ? (JSON.parse(readFileSync(records(cache)[0]!, 'utf8')) as { listenMs?: unknown }).listenMs : undefined);
    await first.interact(until('the record says how long it took to listen', () => typeof listenMs() === 'number'));
    expect(listenMs()).toBeGreaterThanOrEqual(300);
    await first.interact(act('Ctrl-C', () => first.signal('SIGINT')), exit(), until('nothing is left', () => first.liveProcesses() === 0));

    const second = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await second.interact(output(EARLY), answer(port, /^v1$/));
    // Nothing of hot's ran before the program listened: its first line comes after the program's.
    const text = second.output();
    expect(text.indexOf('program listening')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('program listening')).toBeLessThan(text.indexOf('[hot]'));
    // "ready in" counts from the launch, so the program's own 300 ms before it listens are in it (not from when hot heard it).
    const [, amount, unit] = await second.interact(output(/ready in ([\d.]+) (ms|s)\b/));
    expect(Number(amount) * (unit === 's' ? 1000 : 1)).toBeGreaterThanOrEqual(300);
    await second.interact(act('Ctrl-C', () => second.signal('SIGINT')), exit(), until('nothing is left', () => second.liveProcesses() === 0));

    // A worker that never listens: recorded without a listen time, so the next launcher does not wait.
    project.write('app.cjs', "console.log('program working');\nsetInterval(() => {}, 1000);\n");
    const worker = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await worker.interact(output(/program working/), watching());
    await worker.interact(until('the run is recorded again, with no listen time', () => records(cache).length === 1 && !readFileSync(records(cache)[0]!, 'utf8').includes('"listenMs"')));
    await worker.interact(act('Ctrl-C', () => worker.signal('SIGINT')), exit(), until('nothing is left', () => worker.liveProcesses() === 0));
  });

  it('Ctrl-C while the launcher waits for the program to listen stops the program and its group as hot would, then exits 130', async () => {
    const port = await freePort();
    const project = programProject(session, 'early-ctrl-c', [
      // A helper of its own, in its group, that ignores SIGTERM: it goes at the kill timeout.
      "const helper = require('node:child_process').spawn(process.execPath, ['-e', \"process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready');\"], { stdio: ['ignore', 'pipe', 'ignore'] });",
      "helper.stdout.once('data', () => console.log('program booted'));",
      "process.on('SIGTERM', () => { console.log('program stopping'); process.exit(0); });",
      listensLate(port),
    ]);
    const cache = cacheHome(session);
    await recordListenTime(session, project, port, ['--', 'node', 'app.cjs'], cache);

    // The program heard SIGTERM and said its last words before hot exited; its helper went at the kill timeout.
    expect(await ctrlCDuringTheWait(session, project, ['--', 'node', 'app.cjs'], cache)).toContain('program stopping');
  });

  it('Ctrl-C during that wait stops the program with the config\'s kill_signal, as hot would', async () => {
    const port = await freePort();
    const project = programProject(session, 'early-kill-signal', [
      "console.log('program booted');",
      // Only SIGINT stops it: SIGTERM would leave it running until the kill timeout.
      "process.on('SIGINT', () => { console.log('program stopping on SIGINT'); process.exit(0); });",
      "process.on('SIGTERM', () => console.log('program got SIGTERM'));",
      listensLate(port),
    ]);
    project.write('.hotrc.toml', 'bin = "node app.cjs"\n\n[run]\nkill_signal = "SIGINT"\nkill_timeout = 20000\n');
    const cache = cacheHome(session);
    await recordListenTime(session, project, port, [], cache);
    expect(JSON.parse(readFileSync(records(cache)[0]!, 'utf8')).stop).toEqual({ signal: 'SIGINT', afterMs: 20000 });

    const said = await ctrlCDuringTheWait(session, project, [], cache);
    expect(said).toContain('program stopping on SIGINT');
    expect(said).not.toContain('program got SIGTERM');
  });

  it('Ctrl-C as soon as the early program listens, while hot loads, is hot\'s to act on once it has', async () => {
    const port = await freePort();
    const project = programProject(session, 'early-ctrl-c-loading', [
      "const http = require('node:http');",
      "process.on('SIGTERM', () => { console.log('program stopping'); process.exit(0); });",
      "http.createServer((request, response) => response.end('v1')).listen(" + String(port) + ", '127.0.0.1', () => console.log('program listening'));",
    ]);
    const cache = cacheHome(session);
    await recordListenTime(session, project, port, ['--verbose', '--', 'node', 'app.cjs'], cache);

    const second = session.run(project, ['--verbose', '--', 'node', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await second.interact(output(/program listening/));
    const { code } = await second.interact(act('Ctrl-C', () => second.signal('SIGINT')), exit());
    expect(code).toBe(130);
    expect(second.output()).toContain('SIGINT received, stopping the app');
    expect(second.output()).toContain('program stopping');
    await second.interact(until('nothing is left', () => second.liveProcesses() === 0));
  });

  it('with an env file: the launcher reads it again at each launch, and its values never reach the cache', async () => {
    const port = await freePort();
    const project = app(session, port);
    project.write('.env', 'SECRET_TOKEN=do-not-copy\n');
    const cache = cacheHome(session);
    const cold = await firstRun(session, project, port, ['--verbose', 'app.cjs'], cache);
    expect(cold.env.split(',')).toContain('SECRET_TOKEN');
    expect(readFileSync(records(cache)[0]!, 'utf8')).not.toContain('do-not-copy');

    const hot = session.run(project, ['--verbose', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await hot.interact(output(EARLY), answer(port, /^v1$/));
    const early = await hot.interact(until('the program said what it sees', () => programLines(hot)[0]));
    expect(early).toEqual({ ...cold, pid: early.pid });
    await hot.interact(act('Ctrl-C', () => hot.signal('SIGINT')), exit(), until('nothing is left', () => hot.liveProcesses() === 0));

    // Another value in .env: no early start on the old one.
    project.write('.env', 'SECRET_TOKEN=rotated\n');
    const changed = session.run(project, ['--verbose', 'app.cjs'], { env: { XDG_CACHE_HOME: cache } });
    await changed.interact(answer(port, /^v1$/), until('the program said what it sees', () => programLines(changed)[0]));
    expect(changed.output()).not.toMatch(EARLY);
  });
});
