import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { withoutHopByHop } from './forwarded-headers.js';
import type { LiveReload } from './live-reload.js';

/** Pages larger than this are passed on untouched: hot never holds a big or endless response. */
const MAX_INJECTED_PAGE_BYTES = 4 * 1024 * 1024;

/** HTML hot can rewrite: UTF-8 (or no charset given) and not compressed; anything else is passed on untouched. */
export function isPlainHtml(headers: IncomingHttpHeaders): boolean {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  const charset = /charset=["']?([^"';\s]+)/.exec(type)?.[1];
  const encoding = headers['content-encoding'];
  return type.startsWith('text/html') && (charset === undefined || charset === 'utf-8' || charset === 'utf8') && (encoding === undefined || encoding === 'identity') && Number(headers['content-length'] ?? 0) <= MAX_INJECTED_PAGE_BYTES;
}

/**
 * Reads the page, adds hot's script, and sends it with its new length. A page that grows past the
 * limit is sent on as it came, the rest streamed.
 */
export function injectInto(answer: IncomingMessage, response: ServerResponse, liveReload: LiveReload): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let passedOn = false;
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    if (size <= MAX_INJECTED_PAGE_BYTES) return;
    passedOn = true;
    answer.off('data', onData);
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
    for (const buffered of chunks) response.write(buffered);
    answer.pipe(response);
  };
  answer.on('data', onData);
  answer.on('error', () => response.destroy());
  answer.on('end', () => {
    if (response.destroyed || passedOn) return;
    const body = Buffer.from(liveReload.inject(Buffer.concat(chunks).toString('utf8')), 'utf8');
    const headers = withoutHopByHop(answer.headers);
    delete headers['content-length'];
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, { ...headers, 'content-length': String(body.length) });
    response.end(body);
  });
}
