import { describe, expect, it } from 'vitest';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { startLoad, type LoadReport } from '../helpers/load.js';
import { addApp, type TempProject } from '../helpers/project.js';
import { useSession, type Session } from '../helpers/session.js';

/**
 * A program that is not Node (fixtures/apps/listen-fds.py, Python's standard library) listening on
 * two sockets hot hands it the systemd way: `[serve] listen` with two named ports, fds 3 and 4,
 * LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID. It exits when any of them is wrong, so every answer
 * proves the handover.
 */
interface Served {
  hot: HotProcess;
  project: TempProject;
  ports: [number, number];
}

async function startTwoListeners(session: Session, readyMode: string, serveExtra = ''): Promise<Served> {
  const project = session.project();
  addApp(project, 'listen-fds.py', 'app.py');
  const ports: [number, number] = [await freePort(), await freePort()];
  project.write(
    '.hotrc.toml',
    [
      'include = ["app.py"]',
      'bin = "python3 app.py"',
      '[run]',
      `env = { READY_MODE = "${readyMode}" }`,
      '[serve]',
      `listen = [{ port = ${ports[0]}, name = "http" }, { port = ${ports[1]}, name = "admin" }]`,
      serveExtra,
      '',
    ].join('\n'),
  );
  const hot = session.run(project, []);
  await hot.interact(
    output(new RegExp(`started python3 app\\.py on 127\\.0\\.0\\.1:${ports[0]} \\(http\\), 127\\.0\\.0\\.1:${ports[1]} \\(admin\\)`)),
    watching(),
    answer(ports[0], /^v1 http /),
    answer(ports[1], /^v1 admin /),
  );
  return { hot, project, ports };
}

/** `restarts` edits under a fresh-connection load on both ports; each edit served on both before the next. */
async function restartUnderLoad(session: Session, served: Served, restarts: number): Promise<LoadReport[]> {
  const { hot, project, ports } = served;
  const loads = ports.map((port) => startLoad(port, { keepAlive: false, clients: 2 }));
  session.onCleanup(() => Promise.all(loads.map((load) => load.stop())));
  for (let version = 2; version <= restarts + 1; version++) {
    await hot.interact(
      act(`set v${version}`, () => project.replace('app.py', /VERSION = 'v\d+'/, `VERSION = 'v${version}'`)),
      output(/restarting: app\.py changed \(/),
      answer(ports[0], new RegExp(`^v${version} http `)),
      answer(ports[1], new RegExp(`^v${version} admin `)),
      until(`both loads got an answer from v${version}`, () => loads.every((load) => load.progress().versions.has(`v${version}`))),
    );
  }
  return Promise.all(loads.map((load) => load.stop()));
}

describe('serve.listen: two named sockets for a program that is not Node', () => {
  const session = useSession();

  it.each([
    ['notify', 'READY=1 on NOTIFY_SOCKET', ''],
    ['stderr', 'a ready_pattern line on stderr', 'ready_pattern = "^serving v\\\\d+ on http, admin$"'],
    ['silent', 'nothing at all', ''],
  ])('readiness by %s (%s): 5 restarts under load on both ports, none refused', async (mode, _how, serveExtra) => {
    const served = await startTwoListeners(session, mode, serveExtra);
    const reports = await restartUnderLoad(session, served, 5);
    for (const report of reports) {
      expect(report.errors).toEqual({});
      expect(report.failed).toBe(0);
      expect(report.ok).toBeGreaterThan(0);
    }
    expect(served.hot.count(/restarting: app\.py changed/)).toBe(5);
    // Only the program that says nothing is told, once, how it could.
    expect(served.hot.count(/says nothing when it is ready/)).toBe(mode === 'silent' ? 1 : 0);
    expect(served.hot.output()).not.toMatch(/did not (say|listen)|killed|exited|crash/);
  });

  it('never kills a version that does not print its ready_pattern: it is taken as ready at ready_timeout, with a warning', async () => {
    const served = await startTwoListeners(session, 'never', 'ready_pattern = "^listening"\nready_timeout = 1500');
    expect(served.hot.output()).toMatch(/did not say a line matching ready_pattern \/\^listening\/ within 1500 ms: taking it as ready/);
    await served.hot.interact(
      act('set v2', () => served.project.replace('app.py', "VERSION = 'v1'", "VERSION = 'v2'")),
      output(/restarting: app\.py changed \(ready in/),
      answer(served.ports[1], /^v2 admin /),
    );
    expect(served.hot.output()).not.toMatch(/killed|failed to start|exited/);
  });

  it('hot doctor beside it takes both ports for hot\'s own, then stops every version and closes both ports on Ctrl-C', async () => {
    const served = await startTwoListeners(session, 'notify');
    const doctor = session.run(served.project, ['doctor']);
    expect((await doctor.interact(exit({ timeoutMs: 30_000 }))).code).toBe(0);
    for (const port of served.ports) expect(doctor.output()).toMatch(new RegExp(`ok {4}port ${port} is held by hot \\(pid \\d+\\) running in this project`));
    expect(doctor.output()).toMatch(/ok {4}readiness: READY=1 on \$NOTIFY_SOCKET/);
    await served.hot.interact(act('Ctrl-C', () => served.hot.signal('SIGINT')), exit(), until('no process of the app is left', () => served.hot.liveProcesses() === 0));
    for (const port of served.ports) await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses serve.port beside serve.listen, naming the line', async () => {
    const project = session.project();
    addApp(project, 'listen-fds.py', 'app.py');
    project.write('.hotrc.toml', 'bin = "python3 app.py"\n[serve]\nport = 8080\nlisten = [{ port = 8081, name = "http" }]\n');
    const hot = session.run(project, []);
    expect((await hot.interact(exit())).code).toBe(2);
    expect(hot.output()).toMatch(/\.hotrc\.toml:4: serve\.port and serve\.listen are two ways to name the ports: keep one/);
  });
});
