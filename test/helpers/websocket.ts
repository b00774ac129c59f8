import { randomBytes } from 'node:crypto';
import http from 'node:http';

export interface WebSocketClient {
  /** The first text message the server sent. */
  message: string;
  /** Resolves when the connection closes. */
  closed: Promise<void>;
  close(): void;
}

/** A minimal WebSocket client (handshake and one unmasked text frame), enough to see which version answers. */
export function connectWebSocket(port: number, path = '/ws', timeoutMs = 5000): Promise<WebSocketClient> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      timeout: timeoutMs,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    request.on('timeout', () => request.destroy(new Error('websocket handshake timed out')));
    request.on('error', reject);
    request.on('response', (response) => reject(new Error(`no upgrade: HTTP ${response.statusCode}`)));
    request.on('upgrade', (_response, socket, head) => {
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      let buffer = head;
      const tryFrame = (): void => {
        if (buffer.length < 2) return;
        const length = buffer[1]! & 0x7f;
        if (buffer.length < 2 + length) return;
        socket.off('data', onData);
        resolve({ message: buffer.subarray(2, 2 + length).toString('utf8'), closed, close: () => socket.destroy() });
      };
      const onData = (chunk: Buffer): void => {
        buffer = Buffer.concat([buffer, chunk]);
        tryFrame();
      };
      socket.on('data', onData);
      socket.on('error', () => socket.destroy());
      tryFrame();
    });
    request.end();
  });
}
