import { describe, expect, it } from 'vitest';
import { createLiveReload, SCRIPT_TAG } from '../../../src/handoff/live-reload.js';

describe('live reload injection', () => {
  const { inject } = createLiveReload();

  it('puts the script before the last </body>, whatever its case', () => {
    expect(inject('<html><body><p>a</p></BODY></html>')).toBe(`<html><body><p>a</p>${SCRIPT_TAG}</BODY></html>`);
    expect(inject('<body>x</body><!-- </body> --></body>')).toBe(`<body>x</body><!-- </body> -->${SCRIPT_TAG}</body>`);
  });

  it('keeps its place when text before it changes length in lower case (İ)', () => {
    expect(inject('<html><body>İİİ</body></html>')).toBe(`<html><body>İİİ${SCRIPT_TAG}</body></html>`);
  });

  it('appends to a document without </body>, and leaves fragments (htmx, Turbo) alone', () => {
    expect(inject('<!doctype html><html><p>hi')).toBe(`<!doctype html><html><p>hi${SCRIPT_TAG}`);
    expect(inject('<li>one more item</li>')).toBe('<li>one more item</li>');
  });
});
