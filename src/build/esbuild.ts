import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as esbuild from 'esbuild';

/**
 * esbuild is loaded with the first build: `hot -- node server.js` never pays for it. Required, not
 * imported: an import of its CommonJS main scans the whole file for its exports first (~10 ms).
 */
let loaded: Promise<typeof esbuild> | null = null;
const esbuildModule = (): Promise<typeof esbuild> => (loaded ??= Promise.resolve().then(() => createRequire(import.meta.url)('esbuild') as typeof esbuild));
import { BuildError } from '../errors.js';
import type { BuildResult } from '../events.js';
import type { Logger } from '../ui/logger.js';
import type { Builder } from './builder.js';
import { diskBuildError } from './disk-error.js';
import { replaceFile } from './replace-file.js';

export interface EsbuildBuilderOptions {
  root: string;
  entry: string;
  /**
   * The user's build.outfile: the bundle is written there when its bytes change. Null: the program
   * runs in place, and the build is only the gate and the graph: nothing is written, and the
   * output's bytes are compared in memory.
   */
  outfile: string | null;
  /** Workspace packages bundled in rather than loaded at run time, so their changes show in the output. */
  bundlePackages: readonly string[];
  logger: Logger;
  color: boolean;
  /** The directory hot was started in: paths in diagnostics are printed relative to it, as in hot's own lines. Default: process.cwd(). */
  cwd?: string;
}

/**
 * Like `packages: 'external'` (a bare import that resolves into node_modules is loaded from there at
 * run time), except for these workspace packages, which are bundled in. tsconfig `paths` and `#imports`
 * resolve to the project's own files and stay in the bundle, as with `packages: 'external'`.
 */
function externalExcept(bundled: readonly string[]): esbuild.Plugin {
  const names = new Set(bundled);
  const nested = Symbol('hot-resolving');
  return {
    name: 'hot-workspace-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (path.isAbsolute(args.path) || args.pluginData === nested) return undefined;
        const parts = args.path.split('/');
        if (names.has(args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: nested });
        const intoDependencies = resolved.errors.length > 0 || resolved.external || resolved.path.split(path.sep).includes('node_modules');
        return intoDependencies ? { path: args.path, external: true } : { path: resolved.path, namespace: resolved.namespace, sideEffects: resolved.sideEffects };
      });
    },
  };
}

/** Source files whose change may fix a failed build even though no graph lists them yet. */
const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;

/**
 * The built-in build: one incremental esbuild context, rebuilt on each cycle. A failed build keeps the
 * running program; the metafile's inputs tell the app which files matter; output bytes equal to the
 * last build's skip the restart. With an outfile the bundle is written (only when its bytes change).
 */
export function createEsbuildBuilder(options: EsbuildBuilderOptions): Builder {
  return new EsbuildBuilder(options);
}

type Context = esbuild.BuildContext<{ metafile: true; write: false }>;

class EsbuildBuilder implements Builder {
  readonly description: string;
  readonly #options: EsbuildBuilderOptions;
  readonly #cwd: string;
  #context: Context | undefined;
  #inputs = new Set<string>();
  #lastFailed = false;
  /** Changed files of builds that failed since the last good one: the next good build answers for them. */
  #carried: readonly string[] = [];
  #previous = new Map<string, Uint8Array>();
  #closing: Promise<void> | undefined;

  constructor(options: EsbuildBuilderOptions) {
    this.#options = options;
    this.#cwd = options.cwd ?? process.cwd();
    this.description = `esbuild ${path.relative(this.#cwd, options.entry) || options.entry}`;
  }

  async build(changedPaths: readonly string[] = []): Promise<BuildResult> {
    const startedAt = Date.now();
    const changed = [...this.#carried, ...changedPaths];
    this.#carried = changed;
    let result: esbuild.BuildResult<{ metafile: true; write: false }>;
    try {
      this.#context ??= await createContext(this.#options);
      result = await this.#context.rebuild();
    } catch (error) {
      return this.#failed(startedAt, error);
    }
    const { root, logger, color } = this.#options;
    const inputs = new Set(Object.keys(result.metafile.inputs).filter((input) => !input.includes(':')).map((input) => path.resolve(root, input)));
    try {
      if (!this.#options.outfile) await checkOutsideGraph(changed, inputs, root);
    } catch (error) {
      return this.#failed(startedAt, error);
    }
    // The graph of the last good build: what the running program was built from.
    const graphBefore = this.#inputs;
    this.#lastFailed = false;
    this.#inputs = inputs;
    if (result.warnings.length > 0) {
      const text = await describeMessages(relocate(result.warnings, root, this.#cwd), 'warning', color);
      logger.block(text, 'warn');
    }
    let outputChanged: boolean;
    try {
      outputChanged = this.#options.outfile
        ? writeChangedOutputs(result.outputFiles, this.#previous, this.#cwd)
        : // In place, the program may load files the build never reads (a directory scan): a change to one restarts.
          hasNewBytes(result.outputFiles, this.#previous) || changed.some((file) => !graphBefore.has(file));
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      // The next build writes every file again: `previous` still describes what is on disk.
      return { type: 'build-failed', durationMs: Date.now() - startedAt, diagnostics: error.diagnostics };
    }
    this.#previous = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
    this.#carried = [];
    return { type: 'built', durationMs: Date.now() - startedAt, outputChanged };
  }

  inputFiles(): readonly string[] {
    return [...this.#inputs];
  }

  isInput(absolutePath: string): boolean {
    if (this.#inputs.has(absolutePath)) return true;
    // After a failure the graph is unknown: a missing import may be the very file just created.
    return this.#lastFailed && SOURCE_FILE.test(absolutePath) && !absolutePath.split(path.sep).includes('node_modules');
  }

  kill(): void {
    // esbuild runs in hot's own service process, which exits with hot.
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#context?.dispose();
    })();
    return this.#closing;
  }

  async #failed(startedAt: number, error: unknown): Promise<BuildResult> {
    this.#lastFailed = true;
    const messages = (error as { errors?: esbuild.Message[] }).errors;
    const diagnostics =
      messages && messages.length > 0
        ? await describeMessages(relocate(messages, this.#options.root, this.#cwd), 'error', this.#options.color)
        : ((error as Error).message ?? String(error));
    return { type: 'build-failed', durationMs: Date.now() - startedAt, diagnostics };
  }
}

async function createContext(options: EsbuildBuilderOptions): Promise<Context> {
  const { root, entry, outfile } = options;
  const common = {
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node' as const,
    target: `node${process.versions.node.split('.')[0]}`,
    ...(options.bundlePackages.length === 0 ? { packages: 'external' as const } : { plugins: [externalExcept(options.bundlePackages)] }),
    metafile: true as const,
    write: false as const,
    logLevel: 'silent' as const,
  };
  // In place, the output is never run: ESM is the format that accepts every module (top-level await too).
  if (!outfile) return (await esbuildModule()).context({ ...common, format: 'esm' });
  const format = outputFormat(outfile);
  return (await esbuildModule()).context({ ...common, outfile, format, sourcemap: 'linked', ...(format === 'esm' ? { banner: { js: ESM_REQUIRE_BANNER } } : {}) });
}

/**
 * ESM bundles keep `require()` calls of CommonJS code that loads external packages; esbuild's shim
 * looks for a global `require`, so give it one that resolves from the bundle's location.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __hotCreateRequire } from 'node:module'; globalThis.require ??= __hotCreateRequire(import.meta.url);";

/** `.mjs` is ESM, `.cjs` CommonJS, `.js` whatever the nearest package.json says. */
function outputFormat(outfile: string): 'esm' | 'cjs' {
  if (outfile.endsWith('.mjs')) return 'esm';
  if (outfile.endsWith('.cjs')) return 'cjs';
  for (let dir = path.dirname(outfile); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        // An unreadable package.json: Node would treat .js as CommonJS too.
        return 'cjs';
      }
    }
    if (path.dirname(dir) === dir) return 'cjs';
  }
}

/**
 * Writes the files whose bytes differ from the last build (or are missing); true if any did. A disk
 * that refuses (a file where the directory should be, no space, read-only) throws a BuildError.
 */
function writeChangedOutputs(files: readonly esbuild.OutputFile[], previous: ReadonlyMap<string, Uint8Array>, cwd: string): boolean {
  let changed = false;
  // The bundle first: when the directory cannot be made, the message names the file the user set.
  const bundleFirst = [...files].sort((a, b) => Number(a.path.endsWith('.map')) - Number(b.path.endsWith('.map')));
  for (const file of bundleFirst) {
    const before = previous.get(file.path);
    if (before && Buffer.from(before).equals(Buffer.from(file.contents)) && existsSync(file.path)) continue;
    const isMap = file.path.endsWith('.map');
    try {
      mkdirSync(path.dirname(file.path), { recursive: true });
      replaceFile(file.path, file.contents, 0o666);
    } catch (error) {
      throw diskBuildError(error, { doing: `write the ${isMap ? 'source map' : 'bundle'} to`, file: file.path, setting: 'build.outfile' }, cwd) ?? error;
    }
    if (!isMap) changed = true;
  }
  return changed || previous.size === 0;
}

const CODE_FILE = /\.(?:[cm]?[jt]sx?)$/;

/**
 * The gate for changed modules the build does not import (a route directory the program scans): each
 * must at least compile, so a syntax error there keeps the running program as one in the graph does.
 */
async function checkOutsideGraph(changed: readonly string[], graph: ReadonlySet<string>, root: string): Promise<void> {
  const outside = [...new Set(changed)].filter((file) => !graph.has(file) && CODE_FILE.test(file) && !file.split(path.sep).includes('node_modules') && existsSync(file));
  if (outside.length === 0) return;
  await (await esbuildModule()).build({ absWorkingDir: root, entryPoints: outside, bundle: false, write: false, outdir: root, platform: 'node', logLevel: 'silent' });
}

/** True when an output file's bytes differ from the last build's, or on the first build. */
function hasNewBytes(files: readonly esbuild.OutputFile[], previous: ReadonlyMap<string, Uint8Array>): boolean {
  if (previous.size === 0) return true;
  return files.some((file) => {
    const before = previous.get(file.path);
    return !before || !Buffer.from(before).equals(Buffer.from(file.contents));
  });
}

/**
 * esbuild names files relative to its working directory, the project root; hot prints paths relative
 * to the directory it was started in, so a diagnostic's path opens from the same terminal.
 */
/**
 * esbuild's text for the messages, each location's column counted from 1, as tsc and editors count
 * (esbuild's own text counts from 0): `src/a.ts:2:14` opens where the mark is.
 */
async function describeMessages(messages: readonly esbuild.Message[], kind: 'error' | 'warning', color: boolean): Promise<string> {
  const texts = await (await esbuildModule()).formatMessages([...messages], { kind, color });
  return texts.map((text, index) => withColumnsFromOne(text, messages[index]!)).join('');
}

/** The message's locations, in the order esbuild writes them (its own, then its notes'), each `file:line:column:` counted in characters from 1. */
export function withColumnsFromOne(text: string, message: Pick<esbuild.Message, 'location' | 'notes'>): string {
  let from = 0;
  for (const location of [message.location, ...message.notes.map((note) => note.location)]) {
    if (!location) continue;
    const written = `${location.file}:${location.line}:${location.column}:`;
    const at = text.indexOf(written, from);
    if (at < 0) continue;
    // esbuild counts the bytes of the line's UTF-8; tsc and editors, its characters.
    const characters = Buffer.from(location.lineText, 'utf8').subarray(0, location.column).toString('utf8').length;
    const fixed = `${location.file}:${location.line}:${characters + 1}:`;
    text = text.slice(0, at) + fixed + text.slice(at + written.length);
    from = at + fixed.length;
  }
  return text;
}

function relocate(messages: readonly esbuild.Message[], root: string, cwd: string): esbuild.Message[] {
  if (path.resolve(root) === path.resolve(cwd)) return [...messages];
  const move = (location: esbuild.Location | null): esbuild.Location | null =>
    // Other namespaces (a plugin's virtual modules) are names, not paths.
    location && (location.namespace === 'file' || location.namespace === '') && location.file !== ''
      ? { ...location, file: path.relative(cwd, path.resolve(root, location.file)) || location.file }
      : location;
  return messages.map((message) => ({ ...message, location: move(message.location), notes: message.notes.map((note) => ({ ...note, location: move(note.location) })) }));
}
