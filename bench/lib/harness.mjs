// Shared pieces of the benchmarks: temp projects, spawning a tool in its own process group with a
// unique marker in its environment, finding and killing by that marker (never by name), free ports.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(REPO, 'node_modules', '.bin');

export function tempProject(files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-'));
  for (const [name, source] of Object.entries(files)) {
    if (source.from) cpSync(path.join(REPO, source.from), path.join(dir, name));
    else writeFileSync(path.join(dir, name), source.text);
  }
  return {
    dir,
    path: (name) => path.join(dir, name),
    read: (name) => readFileSync(path.join(dir, name), 'utf8'),
    write: (name, text) => writeFileSync(path.join(dir, name), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command args` in `cwd` as a process-group leader, with a unique marker in its environment. */
export function launch(command, args, { cwd, env = {} }) {
  const marker = `hot-bench-${randomUUID()}`;
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, HOT_BENCH_MARKER: marker, NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, marker, exited };
}

/** Live (non-zombie) processes carrying the marker. */
export function markedPids(marker) {
  return pidsWithEnv('HOT_BENCH_MARKER', marker);
}

/** Live (non-zombie) processes whose environment has `variable=value`; also used by the tests. */
export function pidsWithEnv(variable, value) {
  const needle = `${variable}=${value}`;
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // Exited while being read.
    }
  }
  return pids;
}

/** SIGINT to the tool, a bounded wait, then SIGKILL to everything with its marker. */
export async function shutdown(tool, timeoutMs = 5000) {
  try {
    process.kill(tool.child.pid, 'SIGINT');
  } catch {
    // Already gone.
  }
  await within(tool.exited, timeoutMs);
  for (const pid of markedPids(tool.marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export function get(port, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** Polls with fresh connections every ~2 ms until the body satisfies `accept`; the ms it took, or null. */
export async function timeUntil(port, accept, timeoutMs = 20_000) {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutMs) {
    try {
      if (accept(await get(port))) return performance.now() - startedAt;
    } catch {
      // Refused or reset while the server restarts.
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return null;
}

export function version(tool) {
  try {
    return JSON.parse(readFileSync(path.join(REPO, 'node_modules', tool, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** Runs `body` with the tool started on `ctx`; null when the tool cannot run it. Always cleans up. */
export async function withTool(tool, ctx, body) {
  const running = tool.start(ctx);
  if (!running) return null;
  try {
    return await body(running);
  } finally {
    await shutdown(running);
  }
}

/** A markdown table. */
export function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** min / p50 / p90 of a list of numbers, as rounded strings. */
export function spread(values) {
  if (values.length === 0) return ['–', '–', '–'];
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return [sorted[0], at(0.5), at(0.9)].map((value) => value.toFixed(0));
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms`, without leaving a timer behind. */
export async function within(promise, ms) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `test()` is truthy or the deadline passes; returns the last value of test(). */
export async function waitFor(test, timeoutMs, intervalMs = 20) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = test();
    if (value || performance.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

/** Lines in a start log the benchmark apps append to (one per start); 0 when it does not exist yet. */
export function startCount(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** "hot / peer" ratios of one numeric column, the first row starting with "hot" as the reference. */
export function ratioLine(rows, column, label) {
  const reference = rows.find((row) => String(row[0]).startsWith('hot'));
  const value = (row) => Number(row[column]);
  if (!reference || !Number.isFinite(value(reference))) return `${label}, hot / peer: –`;
  const parts = rows.filter((row) => row !== reference && Number.isFinite(value(row)) && value(row) > 0).map((row) => `${row[0]} ${(value(reference) / value(row)).toFixed(2)}`);
  return `${label}, hot / peer: ${parts.join(' · ') || '–'}`;
}
