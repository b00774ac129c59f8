import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { decoratorMetadataSource } from './decorator-metadata.js';

/**
 * The URL of tsx's `--import` loader in hot's own install, so a project runs TypeScript in place
 * without tsx of its own. It registers ESM and CommonJS hooks (per package.json `type` and file
 * extension), resolves tsconfig `paths`, and keeps source maps, so stack traces name `.ts` lines.
 */
export function tsLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** The preload that compiles the program's own TypeScript with SWC, which emits decorator metadata. */
const DECORATOR_METADATA_LOADER = new URL('../loader/decorator-metadata.js', import.meta.url).href;

/**
 * The node flags that run a project's TypeScript in place: tsx, and after it (so its hooks run
 * first) the SWC preload when the tsconfig asks for `emitDecoratorMetadata`.
 */
export function inPlaceLoaders(root: string): string[] {
  const loaders = ['--import', tsLoaderUrl()];
  if (decoratorMetadataSource(root)) loaders.push('--import', DECORATOR_METADATA_LOADER);
  return loaders;
}
