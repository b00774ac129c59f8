import { fileURLToPath } from 'node:url';
import type { ResolvedServe } from '../config/schema.js';
import type { Handoff, JobEvent } from '../events.js';
import { openNotifyDir, type NotifyDir, type NotifySocket } from '../platform/notify-socket.js';
import { urlOf } from './ports.js';
import { QUIET_READY_MS, waitForReadiness } from './readiness.js';
import { openSharedSocket, withListenPid, type SharedSocket } from './socket.js';

type SocketServe = Extract<ResolvedServe, { strategy: 'socket' }>;

const PRELOAD = fileURLToPath(new URL('../listen.js', import.meta.url));

/** The job's own deadline is only a backstop here: readiness decides by `ready_timeout` itself and never fails a start. */
const BACKSTOP_MS = 5_000;

interface GenerationSignals {
  notify: NotifySocket | null;
  listeners: Set<(line: string) => void>;
  report: (event: JobEvent) => void;
}

/**
 * Socket: hot opens each listening socket once (serve.port, or every serve.listen entry) and hands them
 * to every generation as fds 3, 4, … with systemd's LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID; the fd
 * after them is a pipe for READY=1, and NOTIFY_SOCKET takes systemd's notify protocol. Node programs
 * get the preload that does both. Nothing to switch: the old generation stops accepting when it is told
 * to stop, and the kernel queues what arrives meanwhile.
 */
export function createSocketHandoff(serve: SocketServe): Handoff {
  const pattern = serve.readyPattern === null ? null : new RegExp(serve.readyPattern);
  let sockets: SharedSocket[] = [];
  let notifyDir: NotifyDir | null = null;
  let saidSilent = false;
  // Whether a version ever sent a notify message: then the next ones are waited for, even when slow.
  let announced = false;
  let starts = 0;
  const generations = new Map<number, GenerationSignals>();
  return {
    readyTimeoutMs: serve.readyTimeoutMs + BACKSTOP_MS,
    drainTimeoutMs: serve.drainTimeoutMs,
    graceMs: serve.graceMs,
    async open() {
      try {
        for (const listener of serve.listeners) sockets.push(await openSharedSocket(serve.host, listener.port));
      } catch (error) {
        for (const socket of sockets) socket.close();
        sockets = [];
        throw error;
      }
      notifyDir = openNotifyDir();
      if (sockets.length === 1) return urlOf(serve.host, sockets[0]!.port);
      // The names are the user's; whether a port speaks TLS is the program's business: no scheme.
      return sockets.map((socket, index) => `${serve.host}:${socket.port} (${serve.listeners[index]!.name})`).join(', ');
    },
    startsBeside: () => true,
    async prepare(generation) {
      if (sockets.length === 0) throw new Error('internal: the shared sockets are not open');
      const signals: GenerationSignals = { notify: null, listeners: new Set(), report: () => {} };
      signals.notify = notifyDir?.open(String(generation), (line) => {
        announced = true;
        for (const listener of signals.listeners) listener(line);
      }) ?? null;
      generations.set(generation, signals);
      const first = sockets[0]!.port;
      return {
        env: {
          PORT: String(first),
          HOST: serve.host,
          HOT_PUBLIC_PORT: String(first),
          HOT_LISTEN_PORTS: sockets.map((socket) => socket.port).join(':'),
          LISTEN_FDS: String(sockets.length),
          LISTEN_FDNAMES: serve.listeners.map((listener) => listener.name).join(':'),
          HOT_READY_FD: String(3 + sockets.length),
          ...(signals.notify ? { NOTIFY_SOCKET: signals.notify.path } : {}),
        },
        preload: PRELOAD,
        extraFds: [...sockets.map((socket) => socket.handle), 'pipe'],
        stdio: pattern ? 'tee' : 'inherit',
        wrapCommand: withListenPid,
      };
    },
    attach(generation, _child, report) {
      const signals = generations.get(generation);
      if (signals) signals.report = report;
    },
    async waitReady(generation, child, signal) {
      const signals = generations.get(generation);
      const restart = starts++ > 0;
      const outcome = await waitForReadiness(
        {
          readyPipe: child.extraStreams[sockets.length] ?? null,
          stdout: child.stdout,
          stderr: child.stderr,
          pattern,
          notify: signals
            ? (onLine) => {
                signals.listeners.add(onLine);
                return () => signals.listeners.delete(onLine);
              }
            : null,
          announced,
        },
        { quietMs: QUIET_READY_MS, timeoutMs: serve.readyTimeoutMs },
        signal,
      );
      if (outcome === 'signalled') return;
      // Told at the first restart, not the first start: a slow first start may still announce itself late.
      const first = outcome === 'silent' && restart && !saidSilent;
      if (first) saidSilent = true;
      const afterMs = outcome === 'silent' ? QUIET_READY_MS : serve.readyTimeoutMs;
      signals?.report({ type: 'ready-assumed', pid: child.pid, reason: outcome, afterMs, pattern: serve.readyPattern, notify: notifyDir !== null, first });
    },
    activate() {
      // The shared sockets need no switch.
    },
    vacate() {
      // The kernel queues connections until the next generation accepts.
    },
    retired(generation) {
      generations.get(generation)?.notify?.close();
      generations.delete(generation);
    },
    unavailable() {
      // Connections queue in the kernel; there is no page to show.
    },
    announce() {
      // No live reload without the http proxy.
    },
    async close() {
      for (const socket of sockets) socket.close();
      notifyDir?.close();
      generations.clear();
    },
  };
}
