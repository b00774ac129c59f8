import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLinePrefixer, createPackageLabels } from '../../../src/ui/prefix.js';

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

const write = (stream: Writable, chunk: string | Buffer): Promise<void> => new Promise((resolve) => stream.write(chunk, () => resolve()));

describe('createPackageLabels', () => {
  it('pads every name to the longest and adds a separator', () => {
    const labels = createPackageLabels(['api', 'shared'], false);
    expect(labels.get('api')).toBe('api    │ ');
    expect(labels.get('shared')).toBe('shared │ ');
  });

  it('shows control characters in a package name as escapes, keyed by the real name', () => {
    const name = 'evil\u001b]0;title\u0007';
    const labels = createPackageLabels([name, 'api'], false);
    expect(labels.get(name)).toBe('evil\\x1b]0;title\\x07 │ ');
    expect(labels.get('api')).toBe(`${'api'.padEnd('evil\\x1b]0;title\\x07'.length)} │ `);
  });
});

describe('createLinePrefixer', () => {
  it('labels each line once, across chunks that split lines and characters', async () => {
    const out = collector();
    const prefixer = createLinePrefixer('api │ ', out.stream);
    await write(prefixer, 'one\ntw');
    await write(prefixer, 'o\n\nthr');
    const euro = Buffer.from('€\n');
    await write(prefixer, euro.subarray(0, 1));
    await write(prefixer, euro.subarray(1));
    expect(out.text()).toBe('api │ one\napi │ two\napi │ \napi │ thr€\n');
  });

  it('passes a partial line (a prompt) on at once', async () => {
    const out = collector();
    const prefixer = createLinePrefixer('w │ ', out.stream);
    await write(prefixer, 'name? ');
    expect(out.text()).toBe('w │ name? ');
  });
});
