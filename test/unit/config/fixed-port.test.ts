import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFixedPort, fixedPortWarning } from '../../../src/config/fixed-port.js';
import type { ResolvedConfig, ResolvedServe } from '../../../src/config/schema.js';

describe('findFixedPort', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hot-fixed-port-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(file: string, text: string): string {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
    return path.join(dir, file);
  }

  it.each([
    ['app.listen(3000);', 3000],
    ['server.listen( 8080, () => {});', 8080],
    ["await fastify.listen({ port: 3001, host: '0.0.0.0' });", 3001],
    ["app.listen({ host: 'localhost', port: 4000 });", 4000],
  ])('%s listens on %i', (code, port) => {
    expect(findFixedPort(write('src/server.ts', `import x from 'x';\n${code}\n`))).toEqual({ file: path.join(dir, 'src/server.ts'), line: 2, port });
  });

  it.each([
    'app.listen(process.env.PORT ?? 3000);',
    "const port = Number(process.env['PORT']) || 3000;\napp.listen(3000);",
    'const { PORT = 3000 } = process.env;\napp.listen(3000);',
    'app.listen(port);',
    'app.listen(0);',
  ])('%s is not a fixed port', (code) => {
    expect(findFixedPort(write('src/server.ts', code))).toBeNull();
  });

  it('follows relative imports both for the listen() and for a read of PORT', () => {
    const entry = write('src/main.ts', "import { start } from './start.js';\nstart();\n");
    write('src/start.ts', 'export function start() {\n  app.listen(3000);\n}\n');
    expect(findFixedPort(entry)).toEqual({ file: path.join(dir, 'src/start.ts'), line: 2, port: 3000 });
    write('src/config.ts', 'export const port = process.env.PORT;\n');
    write('src/main.ts', "import { start } from './start.js';\nimport './config.js';\nstart();\n");
    expect(findFixedPort(entry)).toBeNull();
  });

  it('warns under the proxy, and under socket unless the port is the public one, never with restart', () => {
    const entry = write('src/server.ts', 'app.listen(3000);\n');
    const config = (serve: Partial<ResolvedServe>) => ({ build: { kind: 'esbuild', entry }, serve: { port: 3000, ...serve } }) as unknown as ResolvedConfig;
    expect(fixedPortWarning(config({ strategy: 'proxy' }), dir)).toEqual({
      line: 'the app listens on a fixed port (src/server.ts:1: .listen(3000)), so under [serve] it would clash (EADDRINUSE): hot gives each version its own PORT',
      hint: 'listen on process.env.PORT, e.g. .listen(Number(process.env.PORT ?? 3000))',
    });
    expect(fixedPortWarning(config({ strategy: 'socket' }), dir)).toBeNull();
    expect(fixedPortWarning(config({ strategy: 'socket', port: 4000 }), dir)?.line).toContain('.listen(3000)');
    expect(fixedPortWarning(config({ strategy: 'restart' }), dir)).toBeNull();
  });
});
