import { describe, expect, it } from 'vitest';
import { goEnv } from '../helpers/go.js';
import { freePort } from '../helpers/http.js';
import { act, answer, output, until, watching } from '../helpers/interact.js';
import { startLoad } from '../helpers/load.js';
import { useSession } from '../helpers/session.js';

/**
 * The production pattern of the Go documents hot grew from, under hot: a Go server
 * (fixtures/projects/go-socket) that inherits its listening sockets as fds 3 and 4 (HTTP, and HTTPS
 * with a certificate it makes at start), says READY=1 on $NOTIFY_SOCKET, and drains on SIGTERM.
 * Debian's golang-go is installed when missing (as root).
 */
describe('a Go server handed two sockets (fd 3 and 4)', () => {
  const session = useSession();

  it('restarts 5 times under load on both ports, HTTP and HTTPS, without a failed request', async () => {
    const project = session.project('go-socket');
    const env = goEnv();
    const ports = [await freePort(), await freePort()] as const;
    project.write(
      '.hotrc.toml',
      [
        'bin = "./tmp/app"',
        '[build]',
        'cmd = "go build -o ./tmp/app ."',
        '[serve]',
        `listen = [{ port = ${ports[0]}, name = "http" }, { port = ${ports[1]}, name = "https" }]`,
        '',
      ].join('\n'),
    );
    const hot = session.run(project, [], { env });
    await hot.interact(
      output(new RegExp(`started \\./tmp/app on 127\\.0\\.0\\.1:${ports[0]} \\(http\\), 127\\.0\\.0\\.1:${ports[1]} \\(https\\)`), { timeoutMs: 120_000 }),
      watching(),
      answer(ports[0], /^v1 http /),
    );
    // Fresh connections: Go's Shutdown closes idle keep-alive connections at once, and a client that
    // reuses one at that moment without retrying (Node's agent; browsers retry) sees a reset.
    const loads = [startLoad(ports[0], { keepAlive: false, clients: 2 }), startLoad(ports[1], { keepAlive: false, clients: 2, tls: true })];
    session.onCleanup(() => Promise.all(loads.map((load) => load.stop())));
    for (let version = 2; version <= 6; version++) {
      await hot.interact(
        act(`set v${version}`, () => project.replace('version.go', /"v\d+"/, `"v${version}"`)),
        output(/restarting: version\.go changed \(built in/, { timeoutMs: 60_000 }),
        answer(ports[0], new RegExp(`^v${version} http `)),
        until(`both loads got an answer from v${version}`, () => loads.every((load) => load.progress().versions.has(`v${version}`)), { timeoutMs: 30_000 }),
      );
    }
    const reports = await Promise.all(loads.map((load) => load.stop()));
    for (const report of reports) {
      expect(report.errors).toEqual({});
      expect(report.ok).toBeGreaterThan(0);
    }
    // READY=1 came on the notify socket: hot never had to take a silent version as ready.
    expect(hot.output()).not.toMatch(/says nothing when it is ready|did not say|killed|exited/);
  });
});
