import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLiveReload, SCRIPT_TAG } from '../../../src/handoff/live-reload.js';

describe('live reload injection', () => {
  const { inject } = createLiveReload();

  it('puts the script right after <head>, or after <body> without one, whatever their case and attributes', () => {
    expect(inject('<!doctype html><html><HEAD><title>t</title></head><body>a</body></html>')).toBe(`<!doctype html><html><HEAD>${SCRIPT_TAG}<title>t</title></head><body>a</body></html>`);
    expect(inject('<html><body class="x">a</body></html>')).toBe(`<html><body class="x">${SCRIPT_TAG}a</body></html>`);
    expect(inject('<html><header>h</header></html>')).toBe(`<html><header>h</header>${SCRIPT_TAG}</html>`);
  });

  it('keeps its place when text before it changes length in lower case (İ)', () => {
    expect(inject('<p>İİİ</p></body></html>')).toBe(`<p>İİİ</p>${SCRIPT_TAG}</body></html>`);
  });

  it('appends to a document without such a tag, and leaves fragments (htmx, Turbo) alone', () => {
    expect(inject('<!doctype html><p>hi')).toBe(`<!doctype html><p>hi${SCRIPT_TAG}`);
    expect(inject('<li>one more item</li>')).toBe('<li>one more item</li>');
  });
});

describe('live reload events', () => {
  /** What a page's event stream carries up to and including `until`. */
  async function streamUntil(port: number, until: string, meanwhile: () => void = () => {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/__hot/events' }, (response) => {
        let text = '';
        meanwhile();
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes(until)) {
            request.destroy();
            resolve(text);
          }
        });
      });
      request.on('error', reject);
    });
  }

  /** Live reload served on a port of its own for `test`, then closed. */
  async function served(test: (live: ReturnType<typeof createLiveReload>, port: number) => Promise<void>): Promise<void> {
    const live = createLiveReload();
    const server = http.createServer((request, response) => live.serve(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await test(live, (server.address() as AddressInfo).port);
    } finally {
      live.close();
      server.close();
    }
  }

  it('tells a page opened later of type errors until tsc is satisfied; a reload or a build does not clear them', async () => {
    await served(async (live, port) => {
      live.announce({ type: 'type-errors', text: 'src/a.ts:1:7 - error TS2322: x' });
      live.announce({ type: 'reload' });
      live.announce({ type: 'build-ok' });
      expect(await streamUntil(port, 'TS2322')).toContain('event: type-errors\ndata: {"text":"src/a.ts:1:7 - error TS2322: x"}');
      live.announce({ type: 'types-ok' });
      const later = await streamUntil(port, 'event: reload', () => live.announce({ type: 'reload' }));
      expect(later).not.toContain('type-errors');
    });
  });

  it('numbers the reloads, and a stream starts with the last one: a page that was loading then learns it missed one', async () => {
    await served(async (live, port) => {
      expect(await streamUntil(port, 'event: hello')).toContain('event: hello\ndata: {"n":0}');
      live.announce({ type: 'reload' });
      live.announce({ type: 'reload' });
      const opened = await streamUntil(port, 'event: reload', () => live.announce({ type: 'reload' }));
      expect(opened).toContain('event: hello\ndata: {"n":2}');
      expect(opened).toContain('event: reload\ndata: {"n":3}');
    });
  });
});
