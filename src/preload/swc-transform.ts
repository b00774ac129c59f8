import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The part of @swc/core this loader uses; it is loaded lazily, from hot's own install. */
interface Swc {
  transformSync(source: string, options: Record<string, unknown>): { code: string };
}

export type ModuleKind = 'commonjs' | 'module';

const TYPESCRIPT = /\.(?:ts|tsx|mts|cts)$/;
const PACKAGES = `${path.sep}node_modules${path.sep}`;

let swc: Swc | null = null;

/** Whether SWC compiles this file: the program's own TypeScript, never a package's. */
export function isOwnTypeScript(file: string): boolean {
  return TYPESCRIPT.test(file) && !file.includes(PACKAGES) && !file.endsWith('.d.ts');
}

/**
 * The file compiled as TypeScript with legacy decorators and their metadata, as Nest's own SWC
 * builder does (`useDefineForClassFields: false`, class names kept), with an inline source map
 * so errors name the `.ts` line (tsx, loaded first, turned source maps on).
 */
export function compileWithMetadata(file: string, kind: ModuleKind): string {
  swc ??= createRequire(import.meta.url)('@swc/core') as Swc;
  const source = readFileSync(file, 'utf8');
  return swc.transformSync(source, {
    filename: file,
    sourceFileName: file,
    sourceMaps: 'inline',
    swcrc: false,
    configFile: false,
    module: { type: kind === 'module' ? 'es6' : 'commonjs' },
    jsc: {
      parser: { syntax: 'typescript', tsx: file.endsWith('.tsx'), decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      target: 'es2022',
    },
  }).code;
}
