import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The URL of tsx's `--import` loader in hot's own install, so a project runs TypeScript in place
 * without tsx of its own. It registers ESM and CommonJS hooks (per package.json `type` and file
 * extension), resolves tsconfig `paths`, and keeps source maps, so stack traces name `.ts` lines.
 */
export function tsLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}
