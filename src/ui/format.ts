import path from 'node:path';

/** `src/a.ts`, or `src/a.ts (+2 more)`, relative to the cwd. */
export function formatPaths(paths: readonly string[], cwd: string): string {
  if (paths.length === 0) return 'nothing';
  const first = relativeTo(paths[paths.length - 1]!, cwd);
  return paths.length === 1 ? first : `${first} (+${paths.length - 1} more)`;
}

export function relativeTo(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' ? '.' : relative;
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
