import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { startLoad, type Load, type LoadOptions, type LoadReport } from '../helpers/load.js';
import { isAlive } from '../helpers/processes.js';
import { addApp, type TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';

/**
 * Node programs with their own hard-coded ports and no config at all: hot holds the sockets they
 * listen on and hands them to every new version, which starts beside the old one.
 */

const ALL_VERSIONS = Array.from({ length: 11 }, (_, index) => `v${index + 1}`);

/** Load on `port` that is stopped after the test even when the test fails first. */
function loadOn(session: Session, port: number, options: LoadOptions): Load {
  const load = startLoad(port, options);
  session.onCleanup(() => load.stop());
  return load;
}

/** fixtures/apps/ws-server.mjs with `listen(<port>)` written into it: no PORT, no host. */
function hardCodedPortApp(session: Session, port: number): TempProject {
  const project = session.project();
  addApp(project, 'ws-server.mjs', 'app.mjs');
  project.replace('app.mjs', "server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', ", `server.listen(${port}, `);
  return project;
}

/** A project whose app.mjs is an http server on `port` (a literal), answering with `handler`'s body, no other code. */
function inlineServer(session: Session, port: number, handler: readonly string[]): TempProject {
  const project = session.project();
  const lines = ["import http from 'node:http';", "const VERSION = 'v1';", 'const server = http.createServer((request, response) => {', ...handler, '});', `server.listen(${port});`, ''];
  project.write('app.mjs', lines.join('\n'));
  return project;
}

/** Edits VERSION `restarts` times; each edit has restarted, answers on `port`, and every load has seen it before the next. */
async function restartUnderLoad(hot: HotProcess, project: TempProject, port: number, loads: Load[], restarts = 10): Promise<void> {
  for (let version = 2; version <= restarts + 1; version++) {
    await hot.interact(
      act(`set v${version}`, () => project.replace('app.mjs', /const VERSION = 'v\d+'/, `const VERSION = 'v${version}'`)),
      output(/restarting: app\.mjs changed \(/),
      answer(port, new RegExp(`^v${version} `)),
      until(`the loads got an answer from v${version}`, () => loads.every((load) => load.progress().versions.has(`v${version}`))),
    );
  }
}

function expectNoFailures(report: LoadReport): void {
  expect(report.errors).toEqual({});
  expect(report.failed).toBe(0);
  expect(report.versions).toEqual(new Set(ALL_VERSIONS));
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

describe('held sockets: a hard-coded port, no config', () => {
  const session = useSession();

  it.each([
    { keepAlive: false, run: ['app.mjs'], how: 'run in place, a fresh connection per request' },
    { keepAlive: true, run: ['--', 'node', 'app.mjs'], how: '`-- node app.mjs`, keep-alive connections' },
  ])('answers every request across 10 restarts ($how)', async ({ keepAlive, run }) => {
    const port = await freePort();
    const project = hardCodedPortApp(session, port);
    const hot = session.run(project, run);
    await hot.interact(output(new RegExp(`holding :${port} for the app`)), answer(port, /^v1 /), watching());
    const load = loadOn(session, port, { keepAlive });
    await restartUnderLoad(hot, project, port, [load]);
    expect(hot.count(/restarting: app\.mjs changed/)).toBe(10);
    expect(hot.count(/holding :/)).toBe(1);
    expectNoFailures(await load.stop());
    expect(hot.output()).not.toMatch(/EADDRINUSE|killed it with SIGKILL/);
    // Stopped, hot leaves nothing behind: no process, and the port is free again.
    await hot.interact(act('send SIGTERM', () => hot.signal('SIGTERM')), exit());
    await hot.interact(until('no process with the marker is left', () => hot.liveProcesses() === 0));
    expect(await canListen(port)).toBe(true);
  });

  it('says "ready in" when the app listens, not when it was spawned; a program that never listens gets no ready time', async () => {
    const port = await freePort();
    const project = inlineServer(session, port, ["  response.end(`${VERSION} ok`);"]);
    // The app takes a while before it listens, as a real one does while it loads and connects.
    project.replace('app.mjs', `server.listen(${port});`, `setTimeout(() => server.listen(${port}), 700);`);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(/started node app\.mjs \(pid \d+\)/), output(new RegExp(`ready in (\\d+) ms; holding :${port} for the app`)), answer(port, /^v1 /));
    const readyMs = Number(new RegExp(`ready in (\\d+) ms; holding :${port}`).exec(hot.output())?.[1]);
    expect(readyMs).toBeGreaterThanOrEqual(700);

    const worker = session.project();
    worker.write('worker.mjs', "console.log('working');\nsetInterval(() => {}, 1000);\n");
    const quiet = session.run(worker, ['--', 'node', 'worker.mjs']);
    await quiet.interact(output(/started node worker\.mjs \(pid \d+\)/), output(/working/));
    expect(quiet.output()).not.toMatch(/ready in/);
  });

  it('the app stops quietly when hot is killed with SIGKILL, and leaves the port free', async () => {
    const port = await freePort();
    const project = hardCodedPortApp(session, port);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(new RegExp(`holding :${port} for the app`)), answer(port, /^v1 /));
    await hot.interact(act('send SIGKILL', () => hot.signal('SIGKILL')), exit(), until('no process with the marker is left', () => hot.liveProcesses() === 0));
    expect(hot.output()).not.toMatch(/Error|at .*\(node:/);
    expect(await canListen(port)).toBe(true);
  });

  it('says which process has the port when the app cannot listen on it', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, () => resolve()));
    session.onCleanup(() => blocker.close());
    const project = hardCodedPortApp(session, port);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(new RegExp(`the app cannot listen on port ${port}: it is already in use by pid ${process.pid}`)));
    expect(hot.output()).not.toMatch(/holding :/);
  });

  it('follows the app to another port and lets go of the old one', async () => {
    const [port, next] = [await freePort(), await freePort()];
    const project = hardCodedPortApp(session, port);
    const hot = session.run(project, ['app.mjs']);
    await hot.interact(output(new RegExp(`holding :${port} for the app`)), answer(port, /^v1 /), watching());
    await hot.interact(
      act('move the app to another port', () => project.replace('app.mjs', `server.listen(${port}, `, `server.listen(${next}, `)),
      output(/restarting: app\.mjs changed \(/),
      output(new RegExp(`holding :${next} for the app`)),
      answer(next, /^v1 /),
      output(new RegExp(`no longer holding :${port}: the new version does not listen there`)),
      // hot has let go; the old version keeps its copy of the socket until it has drained and exited.
      until(`port ${port} is free again`, () => canListen(port)),
    );
  });

  it('keeps the running version when the next one listens on a held port at another address, and says why', async () => {
    const port = await freePort();
    const project = hardCodedPortApp(session, port);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    const served = await hot.interact(output(new RegExp(`holding :${port} for the app`)), answer(port, /^v1 /));
    await hot.interact(
      watching(),
      act('listen on 127.0.0.1 only', () => project.replace('app.mjs', `server.listen(${port}, `, `server.listen(${port}, '127.0.0.1', `)),
      output(new RegExp(`the app cannot listen on port ${port} at another address: hot holds :${port} for it`)),
      output(/The previous version keeps serving/),
      answer(port, (body) => body === served),
    );
  });

  it('lets a program close its server and listen again on the same port, in every version', async () => {
    const port = await freePort();
    const project = inlineServer(session, port, [
      "  if (request.url !== '/relisten') return response.end(`${VERSION} ${process.pid}\\n`);",
      "  response.end('closing\\n');",
      `  server.close(() => server.listen(${port}, () => console.log(\`listening again \${VERSION}\`)));`,
    ]);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(new RegExp(`holding :${port} for the app`)), watching());
    const first = Number((await hot.interact(answer(port, /^v1 /))).split(' ')[1]);
    expect(first).toBeGreaterThan(0);
    for (const version of ['v1', 'v2']) {
      if (version === 'v2') {
        await hot.interact(act('set v2', () => project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")), answer(port, /^v2 /));
        // Until the old version is gone it still accepts on the shared socket (its grace period): the request must reach v2.
        await hot.interact(until('v1 is gone', () => !isAlive(first)));
      }
      await hot.interact(act('ask it to listen again', () => get(port, '/relisten')), output(new RegExp(`listening again ${version}`)), answer(port, new RegExp(`^${version} `)));
    }
    expect(hot.output()).not.toMatch(/EADDRINUSE/);
  });

  it('refuses nothing while a crashed version is restarted: connections wait on the held socket', async () => {
    const port = await freePort();
    const project = inlineServer(session, port, [
      '  response.end(`run${process.env.HOT_RESTART_COUNT} ${process.pid}\\n`);',
      // Stops accepting, answers what it has, then crashes: what comes next finds no process.
      "  if (request.url === '/crash') server.close(() => process.exit(1));",
    ]);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(new RegExp(`holding :${port} for the app`)), answer(port, /^run0 /), watching());
    const load = loadOn(session, port, { keepAlive: false });
    await hot.interact(
      until('the load got answers', () => load.progress().ok > 0),
      act('crash the app', () => get(port, '/crash')),
      output(/app exited with code 1, restarting in/),
      until('the load got an answer from the restarted app', () => load.progress().versions.has('run1')),
    );
    const report = await load.stop();
    expect(report.errors).toEqual({});
    expect(report.failed).toBe(0);
  });

  it('with hold = false, restarts by stopping, then starting', async () => {
    const port = await freePort();
    const project = hardCodedPortApp(session, port);
    project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n[serve]\nhold = false\n');
    const hot = session.run(project, ['--verbose']);
    const firstPid = Number((await hot.interact(answer(port, /^v1 /))).split(' ')[1]);
    await hot.interact(watching());
    await hot.interact(
      act('set v2', () => project.replace('app.mjs', "const VERSION = 'v1'", "const VERSION = 'v2'")),
      // The old version is gone before the new one is spawned.
      output(new RegExp(`app \\(pid ${firstPid}\\) stopped[\\s\\S]*(spawned pid|woke the warm standby)`)),
      answer(port, /^v2 /),
    );
    expect(hot.output()).not.toMatch(/holding :/);
  });
});

/** A self-signed certificate for 127.0.0.1 in the project, or false without openssl. */
function makeCertificate(project: TempProject): boolean {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', project.path('key.pem'), '-out', project.path('cert.pem')], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

describe('held sockets: two hard-coded ports (HTTP and HTTPS), no config', () => {
  const session = useSession();

  it.each([false, true])('answers every request on both ports across 10 restarts (keep-alive: %s)', async (keepAlive) => {
    const [httpPort, secondPort] = [await freePort(), await freePort()];
    const project = session.project();
    addApp(project, 'two-ports.mjs', 'app.mjs');
    project.replace('app.mjs', 'const HTTP_PORT = 3000;', `const HTTP_PORT = ${httpPort};`);
    project.replace('app.mjs', 'const SECOND_PORT = 3443;', `const SECOND_PORT = ${secondPort};`);
    const tls = makeCertificate(project);
    const hot = session.run(project, ['--', 'node', 'app.mjs']);
    await hot.interact(output(new RegExp(`${tls ? 'https' : 'http'} v1 on ${secondPort}`)), answer(httpPort, /^v1 /), watching());
    await hot.interact(until('hot holds both ports', () => hot.output().includes(`:${httpPort}`) && hot.output().includes(`127.0.0.1:${secondPort}`)));
    const loads = [loadOn(session, httpPort, { keepAlive }), loadOn(session, secondPort, { keepAlive, tls })];
    await restartUnderLoad(hot, project, httpPort, loads);
    for (const load of loads) expectNoFailures(await load.stop());
    expect(hot.output()).not.toMatch(/EADDRINUSE|killed it with SIGKILL/);
  });
});
