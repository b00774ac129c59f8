import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * systemd's notify protocol (`sd_notify`): the program sends datagrams such as `READY=1` to the unix
 * socket named by NOTIFY_SOCKET. Node has no unix datagram sockets of its own, so this uses the
 * optional `unix-dgram` addon; where it could not be built, `openNotifyDir` returns null and the
 * other readiness signals remain.
 */
interface DgramSocket {
  bind(file: string): void;
  close(): void;
  on(event: 'message', listener: (message: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

type CreateSocket = (type: 'unix_dgram') => DgramSocket;

let createSocket: CreateSocket | null | undefined;

function loadAddon(): CreateSocket | null {
  if (createSocket === undefined) {
    try {
      createSocket = (createRequire(import.meta.url)('unix-dgram') as { createSocket: CreateSocket }).createSocket;
    } catch {
      // An optional dependency that was not built here (no compiler at install): no notify socket.
      createSocket = null;
    }
  }
  return createSocket;
}

/** Whether this install of hot can offer NOTIFY_SOCKET (for doctor and the readiness hint). */
export function notifyAvailable(): boolean {
  return loadAddon() !== null;
}

/** One generation's notify socket: the lines of every datagram it receives go to `onLine`. */
export interface NotifySocket {
  readonly path: string;
  close(): void;
}

/** A private directory for the generations' notify sockets (mode 0700: only this user may send). */
export interface NotifyDir {
  open(name: string, onLine: (line: string) => void): NotifySocket | null;
  close(): void;
}

export function openNotifyDir(): NotifyDir | null {
  const create = loadAddon();
  if (!create) return null;
  let dir: string;
  try {
    // Short: a unix socket path has at most 107 bytes.
    dir = mkdtempSync(path.join(os.tmpdir(), 'hot-notify-'));
  } catch {
    // No temp directory to write to: the other readiness signals remain.
    return null;
  }
  const open = new Set<NotifySocket>();
  return {
    open(name, onLine) {
      const file = path.join(dir, `${name}.sock`);
      let socket: DgramSocket;
      let failed = false;
      try {
        socket = create('unix_dgram');
        // unix-dgram reports a failed bind as an 'error' event, at once; later errors only lose this signal.
        socket.on('error', () => (failed = true));
        socket.on('message', (message) => {
          for (const line of message.toString('utf8').split('\n')) if (line !== '') onLine(line);
        });
        socket.bind(file);
      } catch {
        return null;
      }
      if (failed) {
        socket.close();
        return null;
      }
      const handle: NotifySocket = {
        path: file,
        close() {
          if (!open.delete(handle)) return;
          socket.close();
          rmSync(file, { force: true });
        },
      };
      open.add(handle);
      return handle;
    },
    close() {
      for (const socket of [...open]) socket.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
