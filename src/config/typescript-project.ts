import { existsSync } from 'node:fs';
import path from 'node:path';
import { readTsconfigChain, settingSource } from './decorator-metadata.js';

/** What hot knows of a project's TypeScript: the compiler it installed, and whether its root has a tsconfig. */
export interface TypeScriptProject {
  /** node_modules/.bin/tsc in the root or the nearest directory above that has one, or null. */
  tsc: string | null;
  hasTsconfig: boolean;
  /** The tsconfig asks for incremental builds (incremental or composite): tsc would write a .tsbuildinfo. */
  incremental: boolean;
  /** The tsconfig that sets emitDecoratorMetadata (the root's, or one it extends), when one does. */
  decoratorMetadata?: string;
  /** The tsconfigs the root's extends, nearest first (a monorepo's tsconfig.base.json). */
  extended?: readonly string[];
}

/**
 * The project's own tsc, found as `npx tsc` would: node_modules/.bin/tsc from `root` up. hot never
 * loads the typescript package itself (TypeScript 7 has no JavaScript API); it runs this binary.
 */
export function findTypeScriptProject(root: string): TypeScriptProject {
  const chain = readTsconfigChain(root);
  const incremental = settingSource(chain, 'incremental') !== null || settingSource(chain, 'composite') !== null;
  const decoratorMetadata = settingSource(chain, 'emitDecoratorMetadata');
  const extended = chain.slice(1).map(({ file }) => file);
  return {
    tsc: findProjectTsc(root),
    hasTsconfig: existsSync(path.join(root, 'tsconfig.json')),
    incremental,
    ...(decoratorMetadata ? { decoratorMetadata } : {}),
    ...(extended.length > 0 ? { extended } : {}),
  };
}

function findProjectTsc(root: string): string | null {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'tsc');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}
