import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { startLoad, type Load, type LoadOptions, type LoadReport } from '../helpers/load.js';
import { isAlive } from '../helpers/processes.js';
import { addApp, type TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';
import { connectWebSocket } from '../helpers/websocket.js';

interface Served {
  session: Session;
  hot: HotProcess;
  project: TempProject;
  port: number;
}

/**
 * A copy of the WebSocket-capable server under hot with `[serve]`, answering v1. hot takes a free
 * port itself (port = 0) and says which, unless the test gives one (the restart strategy needs it).
 */
async function startServed(session: Session, extraServe: string, fixedPort?: number): Promise<Served> {
  const project = session.project();
  addApp(project, 'ws-server.mjs', 'app.mjs');
  project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = ${fixedPort ?? 0}\n${extraServe}`);
  const hot = session.run(project, []);
  const port = fixedPort ?? Number((await hot.interact(output(/started node app\.mjs on http:\/\/\S+:(\d+)/)))[1]);
  await hot.interact(answer(port, /^v1 /), watching());
  return { session, hot, project, port };
}

/** Load on `port` that is stopped after the test even when the test fails first. */
function loadOn(session: Session, port: number, options: LoadOptions): Load {
  const load = startLoad(port, options);
  session.onCleanup(() => load.stop());
  return load;
}

/**
 * Edits the served version `restarts` times under load. Before the next edit, each one has finished
 * its restart (hot's line for it), answers, and has answered the load too: one restart per edit, each
 * under load.
 */
async function restartUnderLoad(served: Served, restarts: number, options: LoadOptions): Promise<LoadReport> {
  const { hot, project, port } = served;
  const load = loadOn(served.session, port, options);
  for (let version = 2; version <= restarts + 1; version++) {
    await hot.interact(
      act(`set v${version}`, () => project.replace('app.mjs', /const VERSION = 'v\d+'/, `const VERSION = 'v${version}'`)),
      output(/restarting: app\.mjs changed \(/),
      answer(port, new RegExp(`^v${version} `)),
      until(`the load got an answer from v${version}`, () => load.progress().versions.has(`v${version}`)),
    );
  }
  return load.stop();
}

describe.each(['proxy', 'socket'])('zero-downtime restarts, strategy = "%s"', (strategy) => {
  const session = useSession();

  const start = (extraServe = `strategy = "${strategy}"\n`) => startServed(session, extraServe);

  /** Every version v1…v11 answered the load, and hot restarted once per edit. */
  async function restartTenTimesUnderLoad(keepAlive: boolean): Promise<LoadReport> {
    const served = await start();
    const report = await restartUnderLoad(served, 10, { keepAlive });
    expect(served.hot.count(/restarting: app\.mjs changed/)).toBe(10);
    expect(report.versions).toEqual(new Set(Array.from({ length: 11 }, (_, index) => `v${index + 1}`)));
    return report;
  }

  it('answers every request across 10 restarts (a fresh connection per request)', async () => {
    const report = await restartTenTimesUnderLoad(false);
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
  });

  it('answers every request across 10 restarts (keep-alive connections)', async () => {
    const report = await restartTenTimesUnderLoad(true);
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
  });

  it('keeps the old version serving when the new one crashes before it listens', async () => {
    const { hot, project, port } = await start();
    const served = await get(port);
    await hot.interact(
      act('make the next version throw at start', () => project.replace('app.mjs', 'const STARTUP_MS = 100;', "const STARTUP_MS = 100;\nthrow new Error('boom at start');")),
      output(/restarting: app\.mjs changed, but the new version failed to start: it exited before it was ready \(code 1\)\. The previous version keeps serving/),
    );
    expect(await get(port)).toBe(served);
    await hot.interact(
      act('fix it as v2', () => {
        project.replace('app.mjs', "throw new Error('boom at start');", '');
        project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'");
      }),
      answer(port, /^v2 /),
    );
  });

  it('refuses to start on a port that is taken, naming the process', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const project = session.project();
      addApp(project, 'ws-server.mjs', 'app.mjs');
      project.write('.hotrc.toml', `bin = "node app.mjs"\n[serve]\nport = ${port}\nstrategy = "${strategy}"\n`);
      const hot = session.run(project, []);
      expect((await hot.interact(exit())).code).toBe(2);
      expect(hot.output()).toContain(`port ${port} is already in use by pid ${process.pid}`);
      expect(hot.output()).not.toMatch(/^\s+at /m);
      expect(hot.liveProcesses()).toBe(0);
    } finally {
      blocker.close();
    }
  });
});

describe('the socket strategy for a program that is not Node', () => {
  const session = useSession();

  it('hands the socket over by the systemd protocol and waits for ready_pattern', async () => {
    const project = session.project();
    project.write(
      'app.py',
      [
        'import http.server, os, socket, sys',
        "VERSION = 'py1'",
        "if os.environ.get('LISTEN_PID') != str(os.getpid()) or os.environ.get('LISTEN_FDS') != '1':",
        "    sys.exit('not socket-activated')",
        'class Handler(http.server.BaseHTTPRequestHandler):',
        '    def do_GET(self):',
        "        body = f'{VERSION} {os.getpid()}\\n'.encode()",
        '        self.send_response(200)',
        "        self.send_header('content-length', str(len(body)))",
        '        self.end_headers()',
        '        self.wfile.write(body)',
        '    def log_message(self, *args):',
        '        pass',
        "server = http.server.HTTPServer(('127.0.0.1', 0), Handler, bind_and_activate=False)",
        'server.socket = socket.socket(fileno=3)',
        "print('serving', VERSION, flush=True)",
        'server.serve_forever()',
        '',
      ].join('\n'),
    );
    project.write('.hotrc.toml', 'include = ["app.py"]\nbin = "python3 app.py"\n[serve]\nport = 0\nstrategy = "socket"\nready_pattern = "^serving"\n');
    const hot = session.run(project, []);
    const port = Number((await hot.interact(output(/started python3 app\.py on http:\/\/\S+:(\d+)/)))[1]);
    await hot.interact(
      answer(port, /^py1 /),
      watching(),
      act('set py2', () => project.replace('app.py', "VERSION = 'py1'", "VERSION = 'py2'")),
      output(/restarting: app\.py changed \(ready in \d+ ms/),
      answer(port, /^py2 /),
    );
  });
});

describe('the proxy strategy', () => {
  const session = useSession();

  const start = (extraServe = '') => startServed(session, extraServe);

  it('baseline: the plain restart strategy does refuse requests, which the proxy prevents', async () => {
    const report = await restartUnderLoad(await startServed(session, 'strategy = "restart"\n', await freePort()), 10, { keepAlive: false });
    expect(report.failed).toBeGreaterThan(0);
    expect(Object.keys(report.errors)).toContain('ECONNREFUSED');
  });

  it('disconnects WebSockets at the switch, and a reconnect reaches the new version', async () => {
    const { project, port } = await start();
    const socket = await connectWebSocket(port);
    session.onCleanup(() => socket.close());
    expect(socket.message).toBe('version v1');
    project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'");
    await socket.closed;
    const again = await connectWebSocket(port);
    expect(again.message).toBe('version v2');
    again.close();
  });

  it('holds requests while the first version starts, instead of refusing them', async () => {
    const project = session.project();
    addApp(project, 'ws-server.mjs', 'app.mjs');
    project.replace('app.mjs', 'const STARTUP_MS = 100;', 'const STARTUP_MS = 1500;');
    // A fixed port: hot names the one it took only once the program is ready, too late here.
    const port = await freePort();
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[serve]\nport = ${port}\n`);
    const hot = session.run(project, ['--verbose']);
    // The proxy listens before the program has started; a request sent as it spawns waits for it.
    await hot.interact(output(/spawned pid/));
    expect((await get(port, '/', 10_000)).startsWith('v1 ')).toBe(true);
  });

  it('answers with a 502 page naming the problem when the app cannot start', async () => {
    const project = session.project();
    addApp(project, 'crash-on-start.mjs', 'app.mjs');
    const port = await freePort();
    project.write('.hotrc.toml', `bin = "node app.mjs"\n[serve]\nport = ${port}\n[restart]\nmax_restarts = 1\nbackoff = { initial = 50, max = 50 }\n`);
    const hot = session.run(project, []);
    await hot.interact(output(/waiting for changes/));
    const body = await get(port);
    expect(body).toContain('hot: the app is not available');
    expect(body).toMatch(/crashed 2 times/);
  });
});

describe('the proxy strategy, edge cases', () => {
  const session = useSession();

  it('answers POST requests with bodies across restarts', async () => {
    const report = await restartUnderLoad(await startServed(session, ''), 5, { keepAlive: true, method: 'POST' });
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
  });

  it('ends server-sent-event streams at the switch, without waiting out the drain', async () => {
    // A drain long enough that an old generation held open by the stream could not hide.
    const { hot, project, port } = await startServed(session, 'drain_timeout = 30000\n');
    const oldPid = Number((await get(port)).split(' ')[1]);
    const first = await openEventStream(port);
    session.onCleanup(() => first.close());
    expect(first.firstEvent).toBe('data: version v1');
    project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'");
    await first.ended;
    const second = await openEventStream(port);
    second.close();
    expect(second.firstEvent).toBe('data: version v2');
    await hot.interact(until(`the old version (pid ${oldPid}) has exited`, () => !isAlive(oldPid)));
    expect(hot.output()).not.toMatch(/killed it with SIGKILL/);
  });

  it('retries on a fresh connection when the app closes idle keep-alive connections', async () => {
    const project = session.project();
    addApp(project, 'ws-server.mjs', 'app.mjs');
    project.write('.hotrc.toml', 'bin = "node app.mjs"\n[run]\nenv = { KEEP_ALIVE_MS = "40" }\n[serve]\nport = 0\n');
    const hot = session.run(project, []);
    const port = await proxyPort(hot);
    await hot.interact(answer(port, /^v1 /));
    // Requests 40 ms apart on kept-alive connections: each finds its connection just closed, or about to be.
    const paced = loadOn(session, port, { keepAlive: true, clients: 2, maxRequests: 60, pauseMs: 40, timeoutMs: 3000 });
    await hot.interact(until('the paced load has sent its 60 requests', () => paced.progress().ok + paced.progress().failed >= 60));
    const result = await paced.stop();
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
  });

  it('applies a [run] change without a failed request, numbering generations on', async () => {
    const { hot, project, port } = await startServed(session, '');
    const load = loadOn(session, port, { keepAlive: true });
    await hot.interact(
      act('add [run] env to the config', () => project.write('.hotrc.toml', project.read('.hotrc.toml').replace('bin = "node app.mjs"', 'bin = "node app.mjs"\n[run]\nenv = { MODE = "changed" }'))),
      output(/restarting: \.hotrc\.toml changed/),
      output(/ready v1 pid \d+ gen 2/),
      act('set v2', () => project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      output(/ready v2 pid \d+ gen 3/),
      answer(port, /^v2 /),
      until('the load got an answer from v2', () => load.progress().versions.has('v2')),
    );
    const report = await load.stop();
    expect(report.errors).toEqual({});
  });

  it('lets requests wait for a fixed app instead of showing the last failure', async () => {
    const project = session.project();
    addApp(project, 'crash-on-start.mjs', 'app.mjs');
    const port = await freePort();
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = ${port}\n[restart]\nmax_restarts = 0\n`);
    const hot = session.run(project, ['--verbose']);
    await hot.interact(output(/waiting for changes/), watching());
    expect(await get(port)).toContain('crashed');
    // The fix: a server that takes a second to start. A request sent while it starts waits for it.
    addApp(project, 'ws-server.mjs', 'next.mjs');
    await hot.interact(
      act('fix app.mjs', () => project.write('app.mjs', project.read('next.mjs').replace('const STARTUP_MS = 100;', 'const STARTUP_MS = 1000;'))),
      output(/spawned pid|woke the warm standby/),
    );
    expect((await get(port, '/', 10_000)).startsWith('v1 ')).toBe(true);
  });

  it('shows the build error on the 502 page when stop_on_error stopped the app', async () => {
    const project = session.project('esbuild-basic');
    project.write('.hotrc.toml', `${project.read('.hotrc.toml')}stop_on_error = true\n[serve]\nport = 0\n`);
    const hot = session.run(project, []);
    const port = await proxyPort(hot);
    const page = await hot.interact(
      answer(port, (body) => body.includes('"version":"v1"')),
      watching(),
      act('break the build', () => project.write('src/version.ts', 'export const VERSION: string = = 1;\n')),
      output(/stopping the app \(stop_on_error\)/),
      answer(port, (body) => body.includes('the build failed')),
    );
    expect(page).toMatch(/src\/version\.ts:1:\d+/);
  });

  it('reports a command that cannot be started, on the terminal and on the page', async () => {
    const project = session.project();
    const port = await freePort();
    project.write('.hotrc.toml', `bin = "no-such-command-xyz"\n[serve]\nport = ${port}\n`);
    const hot = session.run(project, []);
    await hot.interact(output(/cannot start no-such-command-xyz: command not found, waiting for changes/));
    expect(await get(port)).toContain('cannot start no-such-command-xyz: command not found');
  });

  it('forwards raw TCP with proxy = "tcp", refusing nothing across restarts', async () => {
    const report = await restartUnderLoad(await startServed(session, 'proxy = "tcp"\n'), 5, { keepAlive: false });
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
  });
});

/** Opens a server-sent-event stream; resolves with its first event and a promise of its end. */
function openEventStream(port: number): Promise<{ firstEvent: string; ended: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (response) => {
      const ended = new Promise<void>((done) => response.once('close', () => done()));
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\n\n')) resolve({ firstEvent: text.split('\n')[0]!, ended, close: () => request.destroy() });
      });
    });
    request.on('error', reject);
  });
}

describe('stopping hot in the middle of a restart', () => {
  const session = useSession();

  it.each(['proxy', 'socket'])('leaves no generation behind (strategy = "%s")', async (strategy) => {
    const project = session.project();
    addApp(project, 'ws-server.mjs', 'app.mjs');
    project.write('.hotrc.toml', `include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nport = 0\nstrategy = "${strategy}"\n`);
    const hot = session.run(project, ['--verbose']);
    const port = await proxyPort(hot);
    const { code } = await hot.interact(
      answer(port, /^v1 /),
      watching(),
      // The next generation takes a while to start: hot is stopped while it does.
      act('set v2, slow to start', () =>
        project.write('app.mjs', project.read('app.mjs').replace("const VERSION = 'v1'", "const VERSION = 'v2'").replace('const STARTUP_MS = 100;', 'const STARTUP_MS = 3000;')),
      ),
      output(/spawned pid|woke the warm standby/),
      act('send SIGTERM', () => hot.signal('SIGTERM')),
      exit(),
    );
    expect(code).toBe(143);
    await hot.interact(until('no process with the marker is left', () => hot.liveProcesses() === 0));
  });
});

/** The port hot's [serve] took for `port = 0`, from hot's "started … on http://…:<port>" line (not the program's own). */
async function proxyPort(hot: HotProcess): Promise<number> {
  return Number((await hot.interact(output(/\[hot\] started .* on http:\/\/\S+:(\d+)/)))[1]);
}
