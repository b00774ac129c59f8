import { describe, expect, it } from 'vitest';
import type { HotApp } from '../../src/hot.js';
import type { HotEvent } from '../../src/events.js';
import { freePort, get } from '../helpers/http.js';
import { act, exit, output } from '../helpers/interact.js';
import { addApp } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';
import { waitUntil } from '../helpers/wait.js';

/** Every field each event type must carry, with its typeof: the schema of `hot --json`. */
const SCHEMA: Record<HotEvent['type'], Record<string, string>> = {
  watching: { files: 'number', polling: 'boolean' },
  change: { paths: 'object' },
  'build-start': {},
  'build-ok': { durationMs: 'number', outputChanged: 'boolean' },
  'build-failed': { durationMs: 'number', diagnostics: 'string' },
  spawn: { pid: 'number' },
  ready: { pid: 'number', readyMs: 'number', reason: 'string' },
  'restart-skipped': { reason: 'string' },
  'start-failed': { reason: 'string' },
  exit: { pid: 'number', requested: 'boolean' },
  crash: { pid: 'number', attempt: 'number', maxRestarts: 'number', delayMs: 'number' },
  'circuit-open': { crashes: 'number', windowMs: 'number' },
  'config-reloaded': {},
  'config-error': { message: 'string' },
  'types-failed': { errors: 'object', blocking: 'boolean' },
  'types-ok': { fixed: 'number' },
  'types-unavailable': { reason: 'string' },
  standby: { state: 'string', pid: 'number', detail: 'string' },
  stopped: {},
};

function parseEvents(stdout: string): Array<HotEvent & { time: string }> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const event = JSON.parse(line) as HotEvent & { time: string };
      expect(Number.isNaN(Date.parse(event.time)), line).toBe(false);
      expect(SCHEMA, line).toHaveProperty([event.type]);
      for (const [key, type] of Object.entries(SCHEMA[event.type])) expect(typeof (event as unknown as Record<string, unknown>)[key], `${key} in ${line}`).toBe(type);
      return event;
    });
}

describe('hot --json', () => {
  const session = useSession();

  it('writes one event per line to stdout, and everything else to stderr', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "0" }\n');
    const hot = session.run(project, ['--json']);
    const { code } = await hot.interact(
      output(/"type":"watching"/, { stream: 'stdout' }),
      output(/"type":"ready"/, { stream: 'stdout' }),
      output(/ready v1 on \d+/, { stream: 'stderr' }),
      act('set v2', () => project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      output(/ready v2 on \d+/, { stream: 'stderr' }),
      output(/"type":"ready"/, { stream: 'stdout' }),
      act('make it throw', () => project.replace('app.mjs', 'const server', "throw new Error('boom');\nconst server")),
      output(/"type":"crash"/, { stream: 'stdout' }),
      act('send SIGINT', () => hot.signal('SIGINT')),
      exit(),
    );
    expect(code).toBe(130);

    // The warm standby reports on its own schedule, between any two of these.
    const events = parseEvents(hot.output('stdout')).filter((event) => event.type !== 'standby');
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['build-start', 'build-ok', 'spawn', 'ready']);
    expect(types).toContain('watching');
    const edit = types.indexOf('change');
    expect(types.slice(edit, edit + 6)).toEqual(['change', 'build-start', 'build-ok', 'exit', 'spawn', 'ready']);
    expect(events[edit]).toMatchObject({ paths: [project.path('app.mjs')] });
    expect(events[edit + 5]).toMatchObject({ reason: 'restarting: app.mjs changed' });
    expect(events.find((event) => event.type === 'crash')).toMatchObject({ code: 1, attempt: 1, maxRestarts: 5 });
    expect(types.at(-1)).toBe('stopped');
    // The program's own output and hot's log never reach stdout.
    expect(hot.output('stdout')).not.toMatch(/ready v1|\[hot\]/);
    expect(hot.output('stderr')).toMatch(/ready v1 on \d+/);
  });
});

describe('the programmatic API', () => {
  const session = useSession();

  it('startHot({ cwd }) loads the config there and reports events through on()', async () => {
    const project = session.project();
    addApp(project, 'http-server.mjs', 'app.mjs');
    const port = await freePort();
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[run]\nenv = { PORT = "${port}" }\n`);
    const { startHot, createLogger } = await import('../../dist/index.js');
    const seen: string[] = [];
    const logged: string[] = [];
    const app = startHot({ cwd: project.dir, logger: createLogger({ level: 'info', write: (text) => logged.push(text) }) }) as HotApp;
    session.onCleanup(() => app.close());
    app.on('*', (event) => seen.push(event.type));
    const readies: number[] = [];
    const stop = app.on('ready', (event) => readies.push(event.readyMs));
    await app.ready;
    expect(seen).toEqual(expect.arrayContaining(['build-start', 'build-ok', 'spawn', 'ready', 'watching']));
    // hot runs in this process here: the one wait-until, without a HotProcess around it.
    await waitUntil(`port ${port} answers v1`, () => get(port).then((body) => body.startsWith('v1 '), () => false));

    const restarted = new Promise((resolve) => app.on('ready', resolve));
    app.restart('asked by a test');
    expect(await restarted).toMatchObject({ type: 'ready', reason: 'restarting: asked by a test' });
    expect(readies).toHaveLength(2);
    stop();
    const stopped = new Promise((resolve) => app.on('stopped', resolve));
    await app.close();
    await stopped;
    await expect(get(port, '/', 500)).rejects.toThrow();
    // Started at once; ready when it listened, which the held socket's line says.
    expect(logged.join('')).toMatch(/\[hot\] started node app\.mjs \(pid \d+\)/);
    expect(logged.join('')).toMatch(/\[hot\] ready in \d+ ms; holding \S+ for the app/);
  });
});
