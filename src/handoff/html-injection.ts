import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** HTML hot can rewrite: UTF-8 (or no charset given) and not compressed; anything else is passed on untouched. */
export function isPlainHtml(headers: IncomingHttpHeaders): boolean {
  const type = String(headers['content-type'] ?? '').toLowerCase();
  const charset = /charset=["']?([^"';\s]+)/.exec(type)?.[1];
  const encoding = headers['content-encoding'];
  return type.startsWith('text/html') && (charset === undefined || charset === 'utf-8' || charset === 'utf8') && (encoding === undefined || encoding === 'identity');
}

/**
 * Where the script goes: right after the first <head> or <body> tag, or else just before </body> or
 * </html>. The first of these in the page wins, so a streamed page (server-side rendering, an
 * endless stream) gets the script with its first bytes instead of at its end.
 */
const PLACE = /<(?:head|body)(?=[\s/>])[^>]*>|<\/(?:body|html)\s*>/i;
/** A whole page rather than a fragment (htmx, Turbo): a second script would open a second event stream. */
const PAGE = /<html[\s>]|<!doctype\s+html/i;
/** A tag cut at the end of a chunk is kept for the next one, unless it is longer than any tag hot looks for would be. */
const LONGEST_TAG = 4096;

/** The index in `text` where the script goes, or -1 when there is no place for it yet. */
export function findScriptPlace(text: string): number {
  const match = PLACE.exec(text);
  if (!match) return -1;
  return match[0][1] === '/' ? match.index : match.index + match[0].length;
}

/** A whole page with `tag` added (see PLACE), or at its end when it has no such place; a fragment as it is. */
export function injectScript(html: string, tag: string): string {
  const at = findScriptPlace(html);
  if (at !== -1) return `${html.slice(0, at)}${tag}${html.slice(at)}`;
  return PAGE.test(html) ? `${html}${tag}` : html;
}

/**
 * A stream that adds `tag` to the page passing through, holding nothing back but a tag cut between
 * two chunks. It scans bytes as latin1 (one character per byte, and every tag it looks for is
 * ASCII), so the page's own bytes pass on exactly, whatever its characters.
 */
export function createScriptInjector(tag: string): Transform {
  return new ScriptInjector(Buffer.from(tag, 'utf8'));
}

class ScriptInjector extends Transform {
  readonly #tag: Buffer;
  #state: 'scanning' | 'injected' = 'scanning';
  #isPage = false;
  /** The end of what came so far, while it may be the start of a tag. */
  #held: Buffer = Buffer.alloc(0);

  constructor(tag: Buffer) {
    super();
    this.#tag = tag;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#state === 'injected') return done(null, chunk);
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    const text = data.toString('latin1');
    this.#isPage ||= PAGE.test(text);
    const at = findScriptPlace(text);
    if (at !== -1) {
      this.#state = 'injected';
      this.#held = Buffer.alloc(0);
      return done(null, Buffer.concat([data.subarray(0, at), this.#tag, data.subarray(at)]));
    }
    const keep = cutTagStart(text);
    this.#held = Buffer.from(data.subarray(keep));
    if (keep === 0) return done();
    done(null, data.subarray(0, keep));
  }

  override _flush(done: TransformCallback): void {
    const rest = this.#state === 'scanning' && this.#isPage ? Buffer.concat([this.#held, this.#tag]) : this.#held;
    done(null, rest.length > 0 ? rest : undefined);
  }
}

/** The tags the injector looks for, by name: a cut tag is held back only when it may become one of them. */
const WANTED = ['head', 'body', '/body', '/html', 'html', '!doctype'];

/** Where a tag hot looks for is cut off at the end of `text`; the end of `text` when none is. */
function cutTagStart(text: string): number {
  const open = text.lastIndexOf('<');
  if (open === -1 || text.length - open > LONGEST_TAG) return text.length;
  const rest = text.slice(open + 1).toLowerCase();
  if (rest.includes('>')) return text.length;
  const name = /^[a-z!/]*/.exec(rest)![0];
  // `<bo` may become <body>; `<body cl` is <body> with attributes to come; `a < b` is no tag.
  const fits = name.length < rest.length ? WANTED.includes(name) : WANTED.some((word) => word.startsWith(name));
  return fits ? open : text.length;
}
