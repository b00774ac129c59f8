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
