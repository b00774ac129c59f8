import path from 'node:path';

/** C0 controls, DEL and C1 controls: printed raw, a name could move the cursor, retitle the terminal or write the clipboard. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character shown as `\xHH`: for any name hot prints (files, packages, commands). */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `src/a.ts`, or `src/a.ts (+2 more)`, relative to the cwd, printable. */
export function formatPaths(paths: readonly string[], cwd: string): string {
  if (paths.length === 0) return 'nothing';
  const first = relativeTo(paths[paths.length - 1]!, cwd);
  return paths.length === 1 ? first : `${first} (+${paths.length - 1} more)`;
}

/** `file` relative to `cwd`, printable (see `printable`). */
export function relativeTo(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' ? '.' : printable(relative);
}

/** `84 ms` below ten seconds, `12.3 s` above. */
export function formatDuration(ms: number): string {
  if (Math.round(ms) < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `exited with code 1`, `was killed by SIGSEGV`. */
export function describeExitStatus(code: number | null, signal: string | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}
