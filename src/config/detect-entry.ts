import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scriptNamed, scriptTarget, type ScriptTarget } from './entry-script.js';
import { callsListen, isFile, resolveImport } from './listen-check.js';

/** package.json scripts read for the command that starts the app, in this order. */
export const ENTRY_SCRIPTS = ['dev', 'start', 'serve'] as const;

/** Entry files tried when package.json names none; the listen check orders them, so this order breaks ties. */
const COMMON_STEMS = ['src/main', 'src/server', 'src/index', 'src/app', 'server', 'index'];
const COMMON_EXTENSIONS = ['.ts', '.js', '.mjs'];
export const COMMON_ENTRIES = COMMON_STEMS.flatMap((stem) => COMMON_EXTENSIONS.map((ext) => stem + ext));

/**
 * A place an entry may be: a path relative to the project, and where that path came from. `launcher`:
 * the framework CLI the script loads the entry with (`fastify start -l info`), which hot runs too.
 */
export interface EntryLead {
  file: string;
  source: string;
  launcher?: string[];
}

/** A lead that exists, with whether its module graph calls listen() (or its launcher listens for it). */
export interface EntryCandidate extends EntryLead {
  listens: boolean;
}

export interface EntryDetection {
  entry: EntryCandidate | null;
  /** Why this entry: `package.json scripts.dev: "tsx watch src/server.ts"`, with the listen check's say. */
  reason: string;
  candidates: EntryCandidate[];
  /** What was looked at, for the message when nothing is found. */
  lookedFor: string[];
}

export interface Manifest {
  main?: unknown;
  scripts?: unknown;
  nodemonConfig?: unknown;
}

/** nest-cli.json's say on the entry: `sourceRoot` + `entryFile` (Nest's defaults: src, main). */
export interface NestCli {
  sourceRoot?: unknown;
  entryFile?: unknown;
}

/**
 * Where to look, best first: package.json scripts, then main, then common names. Pure. `nodemonExec`:
 * the `exec` of nodemon.json or of package.json `nodemonConfig`, for a script that runs bare `nodemon`.
 */
export function entryLeads(manifest: Manifest | null, nestCli: NestCli | null, nodemonExec: string | null = null): EntryLead[] {
  const leads: EntryLead[] = [];
  const scripts = manifest && typeof manifest.scripts === 'object' && manifest.scripts !== null ? (manifest.scripts as Record<string, unknown>) : {};
  for (const name of ENTRY_SCRIPTS) {
    const found = followScript(scripts, name, []);
    if (!found) continue;
    const { target, source } = found;
    if (target.kind === 'file') leads.push({ file: target.file, source, ...(target.launcher ? { launcher: target.launcher } : {}) });
    if (target.kind === 'nest') leads.push({ file: nestEntry(nestCli), source: `${source} and nest-cli.json` });
    const viaNodemon = target.kind === 'nodemon' && nodemonExec !== null ? scriptTarget(nodemonExec) : null;
    if (viaNodemon?.kind === 'file') leads.push({ file: viaNodemon.file, source: `${source} and nodemon's exec: ${JSON.stringify(nodemonExec)}` });
  }
  if (manifest && typeof manifest.main === 'string' && manifest.main !== '') leads.push({ file: manifest.main, source: 'package.json main' });
  for (const file of COMMON_ENTRIES) leads.push({ file, source: 'a common entry name' });
  return leads;
}

/** What script `name` runs, through `npm run other` and the like (a few steps, no cycles), and how it got there. */
function followScript(scripts: Record<string, unknown>, name: string, chain: string[]): { target: ScriptTarget; source: string } | null {
  const script = scripts[name];
  if (typeof script !== 'string' || chain.includes(name) || chain.length > 3) return null;
  const via = [...chain, name];
  const target = scriptTarget(script);
  if (target) return { target, source: `package.json scripts.${via.join(' → scripts.')}: ${JSON.stringify(script)}` };
  const next = scriptNamed(script);
  return next === null ? null : followScript(scripts, next, via);
}

function nestEntry(nestCli: NestCli | null): string {
  const root = typeof nestCli?.sourceRoot === 'string' ? nestCli.sourceRoot : 'src';
  const file = typeof nestCli?.entryFile === 'string' ? nestCli.entryFile : 'main';
  return `${root}/${file}.ts`;
}

/** The first candidate that calls listen(), else the first candidate. Pure. */
export function chooseEntry(candidates: readonly EntryCandidate[]): { entry: EntryCandidate | null; reason: string } {
  const first = candidates[0];
  if (!first) return { entry: null, reason: '' };
  const listening = candidates.find((candidate) => candidate.listens);
  if (!listening || listening === first) return { entry: first, reason: first.source };
  const passed = candidates.slice(0, candidates.indexOf(listening)).map((candidate) => candidate.file);
  return { entry: listening, reason: `${listening.source}: it calls listen(), ${passed.join(', ')} ${passed.length === 1 ? 'does' : 'do'} not` };
}

/**
 * Whether the entry found starts a program: a dev/start/serve script names it, or it calls listen().
 * A library's `main` or `src/index.ts` does neither; `hot init` at a workspace root skips it.
 */
export function startsProgram(detection: Pick<EntryDetection, 'entry'>): boolean {
  return detection.entry !== null && (detection.entry.listens || detection.entry.source.startsWith('package.json scripts.'));
}

/** Finds the project's entry in `dir`: reads package.json and nest-cli.json, checks which leads exist and listen. */
export function detectEntry(dir: string): EntryDetection {
  const manifest = readJson<Manifest>(path.join(dir, 'package.json'));
  const nestCli = readJson<NestCli>(path.join(dir, 'nest-cli.json'));
  const nodemon = readJson<{ exec?: unknown }>(path.join(dir, 'nodemon.json')) ?? (manifest?.nodemonConfig as { exec?: unknown } | undefined) ?? null;
  const leads = entryLeads(manifest, nestCli, typeof nodemon?.exec === 'string' ? nodemon.exec : null);
  const candidates: EntryCandidate[] = [];
  const seen = new Set<string>();
  for (const lead of leads) {
    const file = locate(dir, lead.file);
    if (file === null || seen.has(file)) continue;
    seen.add(file);
    // `fastify start` listens for the plugin it loads, which never calls listen() itself.
    const listens = lead.launcher !== undefined || callsListen(file);
    candidates.push({ ...lead, file: path.relative(dir, file).split(path.sep).join('/'), listens });
  }
  const lookedFor = [...new Set(leads.filter((lead) => lead.source !== 'a common entry name').map((lead) => `${lead.file} (${lead.source})`))];
  lookedFor.unshift('package.json scripts dev, start, serve and main');
  lookedFor.push(`${COMMON_STEMS.join(', ')} (as ${COMMON_EXTENSIONS.join(', ')})`);
  return { ...chooseEntry(candidates), candidates, lookedFor };
}

/**
 * A script names what it runs, often as built (`node dist/server.js`) or without an extension: the
 * source file that stands for it, if any.
 */
function locate(dir: string, file: string): string | null {
  const direct = resolveImport(dir, path.isAbsolute(file) ? file : `./${file}`);
  if (direct) return direct;
  const built = /^(?:\.\/)?(?:dist|build|out|lib)\/(.+?)(?:\.(?:c|m)?js)?$/.exec(file);
  return built ? resolveImport(dir, `./src/${built[1]}`) : null;
}

function readJson<T>(file: string): T | null {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    // Missing or not JSON: this lead is simply absent (the program reports a broken package.json itself).
    return null;
  }
}

/**
 * For an entry that never calls listen(): the candidates that do, as a hint line, or null. Shown when
 * the program exits cleanly, and by doctor.
 */
export function listenHint(dir: string, entry: string): string | null {
  if (!isFile(entry) || callsListen(entry)) return null;
  const { candidates } = detectEntry(dir);
  const shown = path.relative(dir, entry).split(path.sep).join('/');
  // A fastify-cli app: the script loads this very file with `fastify start`, which listens.
  const launched = candidates.find((candidate) => candidate.launcher && path.resolve(dir, candidate.file) === entry);
  if (launched?.launcher) {
    const launcher = launched.launcher.join(' ');
    return `${shown} never calls listen(); ${launcher} loads it and listens (${launched.source}): set run.launcher = "${launcher}" under [run], or run \`hot\` with no entry and no config`;
  }
  const listening = candidates.filter((candidate) => candidate.listens && path.resolve(dir, candidate.file) !== entry);
  if (listening.length === 0) return null;
  const others = listening.map((candidate) => candidate.file);
  return `${shown} never calls listen(); ${others.join(', ')} ${others.length === 1 ? 'does' : 'do'}: run \`hot ${others[0]}\``;
}
