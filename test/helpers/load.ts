import http from 'node:http';

export interface LoadReport {
  ok: number;
  failed: number;
  /** Failures by error code (ECONNREFUSED, ECONNRESET, …) or HTTP status. */
  errors: Record<string, number>;
  /** Longest time between two successful responses, across all clients. */
  maxGapMs: number;
  /** Bodies seen, first word only (e.g. the served version), in order of arrival. */
  versions: Set<string>;
}

export interface Load {
  stop(): Promise<LoadReport>;
}

/**
 * `clients` loops of GET requests against the port until stopped (or `maxRequests` in all), each
 * with a fresh connection or a keep-alive one. Bounded in count and time; only loopback traffic.
 */
export function startLoad(port: number, options: { clients?: number; keepAlive: boolean; maxRequests?: number; timeoutMs?: number }): Load {
  const clients = options.clients ?? 4;
  const maxRequests = options.maxRequests ?? 100_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const report: LoadReport = { ok: 0, failed: 0, errors: {}, maxGapMs: 0, versions: new Set() };
  let stopped = false;
  let lastSuccess = Date.now();
  const agents: http.Agent[] = [];

  const once = (agent: http.Agent | false): Promise<void> =>
    new Promise((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: timeoutMs }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode === 200) {
            const now = Date.now();
            report.maxGapMs = Math.max(report.maxGapMs, now - lastSuccess);
            lastSuccess = now;
            report.ok++;
            report.versions.add(body.split(' ')[0]!);
          } else fail(`HTTP ${response.statusCode}`);
          resolve();
        });
        response.on('error', (error: NodeJS.ErrnoException) => {
          fail(error.code ?? error.message);
          resolve();
        });
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.code ?? error.message);
        resolve();
      });
    });

  const fail = (code: string): void => {
    report.failed++;
    report.errors[code] = (report.errors[code] ?? 0) + 1;
  };

  const loops = Array.from({ length: clients }, async () => {
    const agent = options.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    if (agent) agents.push(agent);
    while (!stopped && report.ok + report.failed < maxRequests) await once(agent);
  });

  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return report;
    },
  };
}
