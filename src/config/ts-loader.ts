import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { TypeScriptProject } from './typescript-project.js';

const require = createRequire(import.meta.url);

/**
 * The URL of tsx's `--import` loader in hot's own install, so a project runs TypeScript in place
 * without tsx of its own. It registers ESM and CommonJS hooks (per package.json `type` and file
 * extension), resolves tsconfig `paths`, and keeps source maps, so stack traces name `.ts` lines.
 */
export function tsLoaderUrl(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

/**
 * Node's arguments that load tsx: its loader, which registers the ESM and CommonJS hooks and turns
 * source maps on (`process.setSourceMapsEnabled`), after `--require tsx/suppress-warnings`, the
 * part of the tsx command's own preflight a program can notice: Node's warnings about loaders are
 * kept quiet, and libraries that look for tsx among the preloaded modules find it (@fastify/autoload
 * loads `.ts` plugins only then). The rest of the preflight (a channel to `tsx watch`, and its hooks
 * registered a second time) is left out: it cost ~4% of a small program's start, in its hooks thread too.
 */
export function tsLoaderArguments(): string[] {
  return ['--require', require.resolve('tsx/suppress-warnings'), '--import', tsLoaderUrl()];
}

/** The preload that compiles the program's own TypeScript with SWC, which emits decorator metadata. */
const DECORATOR_METADATA_LOADER = new URL('../preload/decorator-metadata.js', import.meta.url).href;

const JAVASCRIPT = /\.[cm]?js$/;

/**
 * The node flags that run a project's TypeScript in place: tsx (as the tsx command loads it), and
 * after it (so its hooks run first) the SWC preload when the tsconfig asks for `emitDecoratorMetadata`.
 * A JavaScript entry in a project without a tsconfig and without internal TypeScript packages runs
 * under plain node, exactly as `node <entry>` would, without the loader's start-up cost.
 */
export function inPlaceLoaders(entry: string, internalSources: readonly string[], typescript: TypeScriptProject | undefined): string[] {
  if (JAVASCRIPT.test(entry) && internalSources.length === 0 && !typescript?.hasTsconfig) return [];
  const loaders = tsLoaderArguments();
  if (typescript?.decoratorMetadata) loaders.push('--import', DECORATOR_METADATA_LOADER);
  return loaders;
}
