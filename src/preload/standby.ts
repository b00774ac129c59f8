/**
 * Loaded last (`--import`) into every Node generation hot starts itself when the warm standby is on.
 * A standby (HOT_STANDBY_WAIT=1) waits here, before Node loads the program's entry: it first imports
 * the packages hot names (files from node_modules only, never the program's own), then, at "go", takes
 * the variables of its generation and returns, and Node goes on exactly as in a cold start. Any
 * generation answers hot's question of which packages it has loaded.
 *
 * One line of JSON per message on the socket at fd HOT_STANDBY_FD:
 * hot → program: `{"warm":[file…]}`, `{"go":{"env":{name:value|null}}}`, `{"report":true}`;
 * program → hot: `{"warmed":n,"failed":n}`, `{"loaded":[file…]}`.
 */
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
const fd = Number(process.env.HOT_STANDBY_FD);
const waits = process.env.HOT_STANDBY_WAIT === '1';
delete process.env.HOT_STANDBY_FD;
delete process.env.HOT_STANDBY_WAIT;

interface Message {
  warm?: unknown;
  go?: { env?: Record<string, string | null> };
  report?: unknown;
}

/** Declared before the top-level await below: the handlers run while it waits. */
let typeScriptWarmed = false;

if (Number.isInteger(fd) && fd > 2) await serve(fd);

async function serve(descriptor: number): Promise<void> {
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd: descriptor, readable: true, writable: true });
  } catch {
    return;
  }
  socket.on('error', () => {});
  let resolveGo: () => void = () => {};
  const went = new Promise<void>((resolve) => (resolveGo = resolve));
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        continue;
      }
      if (Array.isArray(message.warm)) {
        const result = warm(message.warm);
        warmTypeScript();
        socket.write(`${JSON.stringify(result)}\n`);
      }
      if (message.go) {
        for (const [name, value] of Object.entries(message.go.env ?? {})) {
          if (value === null) delete process.env[name];
          else process.env[name] = value;
        }
        resolveGo();
      }
      if (message.report) socket.write(`${JSON.stringify({ loaded: loadedPackages() })}\n`);
    }
  });
  let woken = false;
  // hot is gone before "go" (killed outright): a standby never runs the program on its own.
  socket.on('close', () => {
    if (waits && !woken) process.exit(0);
  });
  if (waits) await went;
  woken = true;
  // From now on the socket never keeps the program alive.
  socket.unref();
}

/** Imports what the previous generation loaded from node_modules; a file that fails is left for the program to load. */
function warm(files: unknown[]): { warmed: number; failed: number } {
  let warmed = 0;
  let failed = 0;
  for (const file of files) {
    if (typeof file !== 'string' || !isPackageFile(file)) continue;
    try {
      require(file);
      warmed++;
    } catch {
      failed++;
    }
  }
  return { warmed, failed };
}

/**
 * tsx compiles each TypeScript file it has not seen with esbuild, whose first call in a process
 * starts esbuild's service (~100 ms): a standby makes that call before "go", through the esbuild
 * tsx itself loads, so the program's first edited file compiles at once.
 */
function warmTypeScript(): void {
  if (typeScriptWarmed) return;
  typeScriptWarmed = true;
  const tsx = Object.keys(require.cache).find((file) => /[\\/]node_modules[\\/]tsx[\\/]/.test(file));
  if (!tsx) return;
  try {
    (createRequire(tsx)('esbuild') as { transformSync(code: string, options: object): unknown }).transformSync('export const warm: number = 1;', { loader: 'ts' });
  } catch {
    // tsx without its esbuild here: the program pays the first compile itself.
  }
}

/**
 * The CommonJS files under node_modules that something outside node_modules loaded (the program, a
 * loader): requiring them again in that order loads their dependencies as the program did.
 */
function loadedPackages(): string[] {
  const roots: string[] = [];
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (!loaded || !isPackageFile(file)) continue;
    const parent = (loaded as NodeJS.Module & { parent?: NodeJS.Module | null }).parent;
    if (!parent || !isPackageFile(parent.filename)) roots.push(file);
  }
  return roots;
}

function isPackageFile(file: string | undefined): boolean {
  return typeof file === 'string' && /[\\/]node_modules[\\/]/.test(file);
}
