import type { ResolvedServe } from '../config/schema.js';
import type { Handoff } from '../events.js';
import { createHoldHandoff } from './hold.js';
import { findFreePort, urlOf, waitForListener } from './ports.js';
import { createProxy } from './proxy.js';
import { createSocketHandoff } from './socket-handoff.js';

type ProxyServe = Extract<ResolvedServe, { strategy: 'proxy' }>;

/** The handoff for [serve], or null for plain stop-then-start restarts. */
export function createHandoff(serve: ResolvedServe): Handoff | null {
  switch (serve.strategy) {
    case 'restart':
      return null;
    case 'proxy':
      return createProxyHandoff(serve);
    case 'socket':
      return createSocketHandoff(serve);
    case 'hold':
      return createHoldHandoff(serve);
  }
}

/** Proxy: a private port per generation (free on 127.0.0.1 and ::1), ready when the generation's own process listens on it, then routed to where it listens. */
function createProxyHandoff(serve: ProxyServe): Handoff {
  const proxy = createProxy({
    host: serve.host,
    port: serve.port,
    mode: serve.mode,
    waitTimeoutMs: serve.readyTimeoutMs,
    liveReload: serve.liveReload,
    allowedHosts: serve.allowedHosts,
  });
  const generations = new Map<number, { port: number; host: string }>();
  let publicPort = serve.port;
  return {
    readyTimeoutMs: serve.readyTimeoutMs,
    drainTimeoutMs: serve.drainTimeoutMs,
    graceMs: serve.graceMs,
    async open() {
      publicPort = await proxy.listen();
      return urlOf(serve.host, publicPort);
    },
    startsBeside: () => true,
    async prepare(generation) {
      const port = await findFreePort();
      generations.set(generation, { port, host: '127.0.0.1' });
      return { env: { PORT: String(port), HOST: '127.0.0.1', HOT_PUBLIC_PORT: String(publicPort) } };
    },
    // Requests wait for a generation that starts; one prepared ahead (a warm standby) is not starting yet.
    starting: () => proxy.expect(),
    attach() {
      // Readiness is seen from outside: the generation's own process listens on its port.
    },
    async waitReady(generation, child, signal) {
      const entry = generations.get(generation);
      if (!entry) throw new Error(`generation ${generation} was never prepared`);
      // The child leads its own process group (spawned detached): its pid is the group's id.
      entry.host = await waitForListener(entry.port, child.pid, signal);
    },
    activate(generation) {
      const entry = generations.get(generation);
      if (entry) proxy.route({ generation, host: entry.host, port: entry.port });
    },
    vacate: () => proxy.pause(),
    retired(generation) {
      proxy.retire(generation);
      generations.delete(generation);
    },
    unavailable: (reason) => proxy.fail(reason),
    announce: (event) => proxy.announce(event),
    close: () => proxy.close(),
  };
}
