/** ESM load hook of the decorator-metadata preload: the program's own TypeScript modules go through SWC. */
import { fileURLToPath } from 'node:url';
import { compileWithMetadata, isOwnTypeScript } from './swc-transform.js';

interface LoadContext {
  format?: string | null;
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context: LoadContext) => Promise<LoadResult>;

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const file = url.startsWith('file:') ? fileURLToPath(url) : null;
  if (file === null || !isOwnTypeScript(file)) return nextLoad(url, context);
  if (context.format === 'module') return { format: 'module', source: compileWithMetadata(file, 'module'), shortCircuit: true };
  // tsx decides the module kind (package.json "type", .mts/.cts); SWC only replaces its compiler.
  const loaded = await nextLoad(url, context);
  if (loaded.format !== 'module') return loaded;
  return { format: 'module', source: compileWithMetadata(file, 'module'), shortCircuit: true };
}
