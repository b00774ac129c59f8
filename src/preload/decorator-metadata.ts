/**
 * Preload for programs whose tsconfig sets `emitDecoratorMetadata` (NestJS, TypeORM, Inversify):
 * their own TypeScript is compiled by SWC, which emits the metadata that tsx's esbuild drops.
 * It runs inside the program after tsx's loader (`--import` order), so tsx still resolves every
 * specifier (tsconfig `paths`, extensions) and compiles everything else; nothing is written to disk.
 */
import Module, { register } from 'node:module';
import { compileWithMetadata, isOwnTypeScript } from './swc-transform.js';

type Compile = (module: { _compile(code: string, file: string): unknown }, file: string) => unknown;
const extensions = (Module as unknown as { _extensions: Record<string, Compile> })._extensions;

// CommonJS: require() of the program's .ts files (tsx registered these handlers just before).
for (const extension of ['.ts', '.tsx', '.cts']) {
  const previous = extensions[extension];
  extensions[extension] = (module, file) => {
    if (!isOwnTypeScript(file) || file.endsWith('.mts')) return previous?.(module, file);
    return module._compile(compileWithMetadata(file, 'commonjs'), file);
  };
}

// ES modules: registered after tsx's hooks, so these run first.
register('./decorator-hooks.js', import.meta.url);
