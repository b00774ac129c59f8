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
 * Node's arguments that load tsx as the tsx command does: `--require tsx/preflight` (the CommonJS
 * hooks, once, in the main thread) before the loader. Libraries that look for tsx among the
 * preloaded modules see it then: @fastify/autoload loads `.ts` plugins only when it does.
 */
export function tsLoaderArguments(): string[] {
  return ['--require', require.resolve('tsx/preflight'), '--import', tsLoaderUrl()];
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
