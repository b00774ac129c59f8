// A bounded HTTP load generator for loopback servers: `clients` loops of GET requests, each on a
// fresh connection or on its own keep-alive connection, until stopped or `maxRequests` in all.
// Used by the benchmarks and by the integration tests (through test/helpers/load.ts).
import http from 'node:http';
import https from 'node:https';

/**
 * @param {number} port
 * @param {{ clients?: number, keepAlive: boolean, maxRequests?: number, timeoutMs?: number, host?: string, recordLatency?: boolean, method?: string, pauseMs?: number, tls?: boolean }} options
 */
export function startLoad(port, options) {
  const clients = options.clients ?? 4;
  const maxRequests = options.maxRequests ?? 100_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const host = options.host ?? '127.0.0.1';
  // tls: HTTPS to a server with a self-signed certificate (made for the test).
  const client = options.tls ? https : http;
  const tls = options.tls ? { rejectUnauthorized: false } : {};
  const report = { ok: 0, failed: 0, errors: {}, maxGapMs: 0, versions: new Set(), latenciesMs: [] };
  let stopped = false;
  let lastSuccess = performance.now();
  const agents = [];

  const fail = (code) => {
    report.failed++;
    report.errors[code] = (report.errors[code] ?? 0) + 1;
  };

  const once = (agent) =>
    new Promise((resolve) => {
      const startedAt = performance.now();
      const method = options.method ?? 'GET';
      const request = client.request({ host, port, path: '/', method, agent, timeout: timeoutMs, ...tls }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => {
          const now = performance.now();
          if (response.statusCode === 200) {
            report.maxGapMs = Math.max(report.maxGapMs, now - lastSuccess);
            lastSuccess = now;
            report.ok++;
            report.versions.add(body.split(' ')[0]);
            if (options.recordLatency) report.latenciesMs.push(now - startedAt);
          } else fail(`HTTP ${response.statusCode}`);
          resolve();
        });
        response.on('error', (error) => {
          fail(error.code ?? error.message);
          resolve();
        });
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      request.on('error', (error) => {
        fail(error.code ?? error.message);
        resolve();
      });
      request.end(method === 'GET' ? undefined : JSON.stringify({ sent: startedAt }));
    });

  const loops = Array.from({ length: clients }, async () => {
    const agent = options.keepAlive ? new client.Agent({ keepAlive: true, maxSockets: 1, ...tls }) : false;
    if (agent) agents.push(agent);
    while (!stopped && report.ok + report.failed < maxRequests) {
      await once(agent);
      // Spacing between requests leaves connections idle, as a person clicking around does.
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  });

  return {
    /** The counts so far, while the load runs: lets a test wait until the load has seen a version. */
    progress() {
      return { ok: report.ok, failed: report.failed, versions: new Set(report.versions) };
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      // The gap until the end counts too: a server that never came back has one long gap.
      report.maxGapMs = Math.max(report.maxGapMs, performance.now() - lastSuccess);
      return report;
    },
  };
}

/** Quantile of a list of numbers (0..1), nearest rank. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
