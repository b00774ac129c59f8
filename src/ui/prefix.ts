import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import { createColors } from 'picocolors';
import { printable } from './format.js';

/** Package labels for a monorepo, keyed by name: each name printable, padded to the longest, in its own colour, then ` │ `. */
export function createPackageLabels(names: readonly string[], color: boolean): Map<string, string> {
  const colors = createColors(color);
  const palette = [colors.cyan, colors.magenta, colors.yellow, colors.blue, colors.green];
  const shown = names.map(printable);
  const width = Math.max(0, ...shown.map((name) => name.length));
  return new Map(names.map((name, index) => [name, `${palette[index % palette.length]!(shown[index]!.padEnd(width))} ${colors.dim('│')} `]));
}

/**
 * A stream that passes text on to `target` with `label` at the start of every line. Partial lines go
 * out at once (a prompt must not wait for its newline); the label is added when a line starts.
 */
export function createLinePrefixer(label: string, target: NodeJS.WritableStream): Writable {
  let atLineStart = true;
  // A character split between two chunks is completed by the next one, not mangled.
  const decoder = new StringDecoder('utf8');
  return new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let out = '';
      for (const piece of text.split(/(?<=\n)/)) {
        if (piece === '') continue;
        if (atLineStart) out += label;
        out += piece;
        atLineStart = piece.endsWith('\n');
      }
      target.write(out, () => callback());
    },
  });
}
