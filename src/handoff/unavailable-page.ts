import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveReload } from './live-reload.js';

/**
 * The page a browser shows while no version of the app can answer: what is wrong, and that hot is on
 * it. With live reload, a browser gets it as HTML that reloads once the app is back.
 */
export function sendUnavailable(request: IncomingMessage, response: ServerResponse, reason: string, liveReload: LiveReload | null): void {
  if (response.headersSent || response.destroyed) return;
  const headers = { 'retry-after': '1', 'cache-control': 'no-store' };
  if (liveReload && String(request.headers.accept ?? '').includes('text/html')) {
    const page = `<!doctype html><meta charset="utf-8"><title>hot: the app is not available</title><body><h1>hot: the app is not available</h1><pre>${escapeHtml(reason)}</pre><p>hot is still watching: this page reloads once the app is back.</p></body>`;
    response.writeHead(502, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    response.end(liveReload.inject(page));
    return;
  }
  const body = `hot: the app is not available\n\n${reason}\n\nhot is still watching: fix the problem and save, then reload this page.\n`;
  response.writeHead(502, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  response.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
