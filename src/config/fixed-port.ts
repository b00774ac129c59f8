import path from 'node:path';
import { findInModuleGraph } from './listen-check.js';
import type { ResolvedConfig } from './schema.js';

/** Where a program listens on a port written in its code. */
export interface FixedPort {
  file: string;
  line: number;
  port: number;
}

/** `.listen(3000`, `.listen({ port: 3000`, `.listen({ host: 'x', port: 3000`. */
const LITERAL_LISTEN = /\.listen\s*\(\s*(?:\{[^}]*?\bport\s*:\s*)?(\d{1,5})\b/g;
/** `process.env.PORT`, `process.env['PORT']`, `const { PORT } = process.env`. */
const READS_PORT = /process\.env(?:\.PORT\b|\[\s*['"`]PORT['"`]\s*\])|\{[^}]*\bPORT\b[^}]*\}\s*=\s*process\.env\b/;

/**
 * The first `.listen(` with a literal port in the entry's module graph, unless some module of it
 * reads `process.env.PORT`: a program that ignores the PORT hot gives it. Textual, like callsListen.
 */
export function findFixedPort(entry: string): FixedPort | null {
  let fixed: FixedPort | null = null;
  const readsPort = findInModuleGraph(entry, (source, file) => {
    if (READS_PORT.test(source)) return true;
    fixed ??= literalListen(source, file);
    return undefined;
  });
  return readsPort ? null : fixed;
}

function literalListen(source: string, file: string): FixedPort | null {
  for (const match of source.matchAll(LITERAL_LISTEN)) {
    const port = Number(match[1]);
    if (port === 0) continue; // any free port: no clash
    return { file, line: source.slice(0, match.index).split('\n').length, port };
  }
  return null;
}

/**
 * The warning hot prints at start and doctor shows when [serve] owns the port and the app listens on
 * one of its own: hot starts each new version beside the old one, so two bind it (or hot holds it).
 * Not with strategy "restart" (stop, then start), nor "socket" on the public port itself (hot's
 * preload hands that listen() the shared socket).
 */
export function fixedPortWarning(config: ResolvedConfig, cwd: string): { line: string; hint: string } | null {
  const { serve, build } = config;
  if (serve.strategy === 'restart' || serve.strategy === 'hold' || build.kind !== 'esbuild') return null;
  const fixed = findFixedPort(build.entry);
  if (!fixed || (serve.strategy === 'socket' && fixed.port === serve.port)) return null;
  const where = `${path.relative(cwd, fixed.file) || fixed.file}:${fixed.line}`;
  return {
    line: `the app listens on a fixed port (${where}: .listen(${fixed.port})), so under [serve] it would clash (EADDRINUSE): hot gives each version its own PORT`,
    hint: `listen on process.env.PORT, e.g. .listen(Number(process.env.PORT ?? ${fixed.port}))`,
  };
}
