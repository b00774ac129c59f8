import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import type { PageEvent } from '../events.js';
import { createScriptInjector, injectScript } from './html-injection.js';

export type { PageEvent };

export interface LiveReload {
  /** True for hot's own paths under /__hot/, which the proxy answers itself. */
  handles(url: string | undefined): boolean;
  serve(request: IncomingMessage, response: ServerResponse): void;
  /** The page with hot's script tag added (see html-injection.ts); a fragment as it is. */
  inject(html: string): string;
  /** A stream that adds hot's script tag to the page passing through, as it passes. */
  injecting(): Transform;
  announce(event: PageEvent): void;
  close(): void;
}

/**
 * Open event streams kept per hot: past this, the oldest is told to stop and closed, so a page that
 * opens streams in a loop (or a client that never closes them) cannot use up hot's file descriptors.
 */
export const MAX_PAGES = 100;

const PREFIX = '/__hot/';
const EVENTS_PATH = `${PREFIX}events`;
const SCRIPT_PATH = `${PREFIX}live-reload.js`;
// async: it may land in <head> of a page that streams for long, and must neither wait for nor block the rest.
export const SCRIPT_TAG = `<script async src="${SCRIPT_PATH}"></script>`;

/**
 * The page side: one EventSource on hot's own endpoint (it lives as long as hot, across restarts of
 * the app). `reload` reloads the page; `build-error` shows the compiler's message over the page
 * until `build-ok`. No dependency, no build step: plain script.
 */
const CLIENT = `(() => {
  if (window.__hotLiveReload) return;
  const source = new EventSource(${JSON.stringify(EVENTS_PATH)});
  // For a look from the devtools console (and the tests): window.__hotLiveReload.readyState 1 = connected.
  window.__hotLiveReload = source;
  let overlay = null;
  const hide = () => { overlay?.remove(); overlay = null; };
  // Each reload is numbered; the tab keeps the last one it acted on. A page still loading when the
  // next version came has missed that reload: the number its stream starts with says so.
  const KEY = 'hot-live-reload';
  const acted = () => { try { return sessionStorage.getItem(KEY); } catch { return null; } };
  const note = (n) => { try { sessionStorage.setItem(KEY, String(n)); } catch {} };
  const reloadAt = (n) => { note(n); location.reload(); };
  source.addEventListener('reload', (event) => reloadAt(JSON.parse(event.data).n));
  source.addEventListener('hello', (event) => {
    const n = JSON.parse(event.data).n;
    const before = acted();
    if (before !== null && n > Number(before)) reloadAt(n);
    else note(n);
  });
  source.addEventListener('build-ok', hide);
  // Closed to make room for newer pages: reconnecting would only close another one.
  source.addEventListener('evicted', () => {
    source.close();
    console.warn('hot: more than ${MAX_PAGES} pages have live reload open; this one no longer reloads by itself');
  });
  const panel = (id, place, heading, data) => {
    const box = document.createElement('div');
    box.id = id;
    box.setAttribute('role', 'alert');
    box.style.cssText = place + ';z-index:2147483647;overflow:auto;padding:2em;background:rgba(24,24,27,.95);color:#fca5a5;font:14px/1.5 ui-monospace,monospace';
    const title = document.createElement('h2');
    title.textContent = heading;
    title.style.cssText = 'color:#fff;font:bold 16px sans-serif;margin:0 0 1em';
    const text = document.createElement('pre');
    text.textContent = JSON.parse(data).text;
    text.style.cssText = 'white-space:pre-wrap;margin:0';
    box.append(title, text);
    // A streamed page may have no <body> yet when the error arrives.
    (document.body ?? document.documentElement).append(box);
    return box;
  };
  source.addEventListener('build-error', (event) => {
    hide();
    overlay = panel('hot-build-error', 'position:fixed;inset:0', 'hot: the build failed, the page shows the last good version', event.data);
  });
  // Type errors do not stop the app: a panel at the bottom, until tsc is satisfied (a click hides it).
  let types = null;
  const hideTypes = () => { types?.remove(); types = null; };
  source.addEventListener('types-ok', hideTypes);
  source.addEventListener('type-errors', (event) => {
    hideTypes();
    types = panel('hot-type-errors', 'position:fixed;left:0;right:0;bottom:0;max-height:40vh', 'hot: type errors (the app runs regardless; click to hide)', event.data);
    types.addEventListener('click', hideTypes);
  });
})();
`;

export function createLiveReload(): LiveReload {
  const pages = new Set<ServerResponse>();
  /** A page opened while the build is broken, or while tsc reports errors, learns it at once. */
  let lastError: string | null = null;
  let lastTypeErrors: string | null = null;
  /** Reloads announced so far: a stream starts with it (`hello`), so a page that missed one reloads. */
  let reloads = 0;

  const evictOldest = (): void => {
    for (const page of pages) {
      if (pages.size < MAX_PAGES) return;
      // And its connection: a kept-alive one would hold the file descriptor as long as before.
      page.end('event: evicted\ndata: {}\n\n', () => page.destroy());
      pages.delete(page);
    }
  };

  const send = (page: ServerResponse, event: PageEvent): void => {
    const data = event.type === 'build-error' || event.type === 'type-errors' ? JSON.stringify({ text: event.text }) : event.type === 'reload' ? JSON.stringify({ n: reloads }) : '{}';
    page.write(`event: ${event.type}\ndata: ${data}\n\n`);
  };

  return {
    handles: (url) => url !== undefined && url.startsWith(PREFIX),
    serve(request, response) {
      const path = (request.url ?? '').split('?')[0];
      if (path === SCRIPT_PATH) {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        response.end(CLIENT);
        return;
      }
      if (path === EVENTS_PATH) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        response.write(`retry: 500\n\nevent: hello\ndata: ${JSON.stringify({ n: reloads })}\n\n`);
        evictOldest();
        pages.add(response);
        response.on('close', () => pages.delete(response));
        if (lastError !== null) send(response, { type: 'build-error', text: lastError });
        if (lastTypeErrors !== null) send(response, { type: 'type-errors', text: lastTypeErrors });
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('hot: no such path\n');
    },
    inject: (html) => injectScript(html, SCRIPT_TAG),
    injecting: () => createScriptInjector(SCRIPT_TAG),
    announce(event) {
      if (event.type === 'reload') reloads++;
      if (event.type === 'type-errors') lastTypeErrors = event.text;
      else if (event.type === 'types-ok') lastTypeErrors = null;
      else lastError = event.type === 'build-error' ? event.text : null;
      for (const page of pages) send(page, event);
    },
    close() {
      for (const page of pages) page.end();
      pages.clear();
    },
  };
}
