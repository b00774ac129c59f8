import { readFileSync } from 'node:fs';
import path from 'node:path';

/** How many `extends` hops are followed: real projects use one or two. */
const MAX_EXTENDS = 4;

/**
 * The tsconfig (the project's own, or one it extends by a relative path) that turns on
 * `emitDecoratorMetadata`, or null. NestJS, TypeORM, Inversify and class-validator need that
 * metadata, which neither esbuild nor tsx emits: dependency injection then gets `undefined`.
 */
export function decoratorMetadataSource(root: string): string | null {
  return tsconfigSettingSource(root, 'emitDecoratorMetadata');
}

/** The tsconfig (the root's own, or one it extends by a relative path) that sets compiler option `name` to true, or null. */
export function tsconfigSettingSource(root: string, name: string): string | null {
  return settingSource(readTsconfigChain(root), name);
}

/** A tsconfig and the ones it extends by relative paths, nearest first, each read once (comments removed). */
export type TsconfigChain = ReadonlyArray<{ file: string; text: string }>;

export function readTsconfigChain(root: string): TsconfigChain {
  const chain: Array<{ file: string; text: string }> = [];
  let file: string | null = path.join(root, 'tsconfig.json');
  for (let hop = 0; file !== null && hop <= MAX_EXTENDS; hop++) {
    const text = readText(file);
    if (text === null) break;
    chain.push({ file, text: withoutComments(text) });
    const parent = /"extends"\s*:\s*"(\.{1,2}\/[^"]+)"/.exec(text)?.[1];
    file = parent ? path.resolve(path.dirname(file), parent.endsWith('.json') ? parent : `${parent}.json`) : null;
  }
  return chain;
}

/** The first tsconfig of the chain that sets compiler option `name`, when it sets it to true. */
export function settingSource(chain: TsconfigChain, name: string): string | null {
  for (const { file, text } of chain) {
    const setting = new RegExp(`"${name}"\\s*:\\s*(true|false)`).exec(text)?.[1];
    if (setting !== undefined) return setting === 'true' ? file : null;
  }
  return null;
}

/** tsconfig allows comments; a commented-out setting must not count. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"])\/\/.*$/gm, '$1');
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // No such tsconfig: nothing turns the setting on.
    return null;
  }
}

/** The warning when the program runs from a bundle (`build.outfile`), which esbuild writes without the metadata. */
export function describeDecoratorMetadata(tsconfig: string, cwd: string): { line: string; hint: string } {
  return {
    line: `${path.relative(cwd, tsconfig) || tsconfig} sets emitDecoratorMetadata, which esbuild does not emit into build.outfile: dependency injection (NestJS, TypeORM) would get undefined`,
    hint: 'remove outfile under [build] so hot runs the source in place and compiles it with SWC, which emits the metadata; or build with the project\'s own compiler: [build] cmd = "nest build" and bin = "node dist/main.js"',
  };
}

/** What doctor says when hot runs the source in place: SWC compiles it and emits the metadata. */
export function describeMetadataCompiler(tsconfig: string, cwd: string): string {
  return `decorator metadata: ${path.relative(cwd, tsconfig) || tsconfig} sets emitDecoratorMetadata; hot compiles the program's TypeScript with SWC, which emits it`;
}
