import { describe, expect, it } from 'vitest';
import { createScriptInjector, isPlainHtml } from '../../../src/handoff/html-injection.js';

const TAG = '<script async src="/__hot/live-reload.js"></script>';

/** Feeds `chunks` one by one; gives what came out after each, and after the end. */
async function feed(chunks: Array<string | Buffer>): Promise<{ afterEach: string[]; total: Buffer }> {
  const injector = createScriptInjector(TAG);
  const out: Buffer[] = [];
  injector.on('data', (chunk: Buffer) => out.push(chunk));
  const afterEach: string[] = [];
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => injector.write(chunk, () => resolve()));
    afterEach.push(Buffer.concat(out).toString('utf8'));
  }
  await new Promise<void>((resolve) => injector.end(() => resolve()));
  return { afterEach, total: Buffer.concat(out) };
}

describe('the streaming script injector', () => {
  it('passes the first part of a streamed page on at once, script included', async () => {
    const { afterEach, total } = await feed(['<html><body>first ', 'last</body></html>']);
    expect(afterEach[0]).toBe(`<html><body>${TAG}first `);
    expect(total.toString()).toBe(`<html><body>${TAG}first last</body></html>`);
  });

  it('finds a tag cut between two chunks, holding back only that tag', async () => {
    const { afterEach, total } = await feed(['<!doctype html><html><he', 'ad lang="en"><title>t</title>', '</head></html>']);
    expect(afterEach[0]).toBe('<!doctype html><html>');
    expect(afterEach[1]).toBe(`<!doctype html><html><head lang="en">${TAG}<title>t</title>`);
    expect(total.toString()).toBe(`<!doctype html><html><head lang="en">${TAG}<title>t</title></head></html>`);
  });

  it('passes the bytes of the page on exactly, a character cut between chunks included', async () => {
    const page = Buffer.from('<html><p>İ€😀</p></html>');
    const { total } = await feed([page.subarray(0, 11), page.subarray(11, 14), page.subarray(14)]);
    expect(total.equals(Buffer.concat([page.subarray(0, page.length - 7), Buffer.from(TAG), page.subarray(page.length - 7)]))).toBe(true);
  });

  it('adds the script at the end of a page without head or body tags, and leaves a fragment alone', async () => {
    expect((await feed(['<!doctype html>', '<p>hi'])).total.toString()).toBe(`<!doctype html><p>hi${TAG}`);
    expect((await feed(['<li>one', ' more item</li>'])).total.toString()).toBe('<li>one more item</li>');
  });

  it('holds back nothing after a "<" that cannot start a tag it looks for', async () => {
    for (const text of ['<html><script>if (a < b', '<html><p>see <i', '<html><p>a <span class="x"']) {
      expect((await feed([text])).afterEach[0]).toBe(text);
    }
    const long = `<html><body class="${'x'.repeat(5000)}`;
    expect((await feed([long])).afterEach[0]).toBe(long);
  });
});

describe('isPlainHtml', () => {
  it('takes UTF-8 or unlabelled HTML of any length, and leaves compressed or other charsets alone', () => {
    expect(isPlainHtml({ 'content-type': 'text/html; charset=UTF-8', 'content-length': String(64 * 1024 * 1024) })).toBe(true);
    expect(isPlainHtml({ 'content-type': 'text/html' })).toBe(true);
    expect(isPlainHtml({ 'content-type': 'text/html', 'content-encoding': 'gzip' })).toBe(false);
    expect(isPlainHtml({ 'content-type': 'text/html; charset=iso-8859-1' })).toBe(false);
    expect(isPlainHtml({ 'content-type': 'text/plain' })).toBe(false);
  });
});
