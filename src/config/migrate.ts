import path from 'node:path';
import { parse as parseToml, stringify } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { CONFIG_FILE_NAME } from './schema.js';
import { validateUserConfig } from './validate.js';

/**
 * `hot init --from .air.toml | nodemon.json`: the same setup in hot's keys. What has no equivalent
 * stays in the file as a comment naming the key and why, so nothing is dropped silently.
 */
export interface Migration {
  text: string;
  /** Keys written as hot keys, and keys left as comments. */
  converted: number;
  unconverted: number;
}

type Table = Record<string, unknown>;

/** hot's config being assembled: top-level keys, tables, and the comments for what has no equivalent. */
class Draft {
  readonly top: Table = {};
  readonly tables: Record<string, Table> = {};
  readonly notes: string[] = [];
  converted = 0;

  set(key: string, value: unknown): void {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
    const [table, name] = key.includes('.') ? (key.split('.') as [string, string]) : [null, key];
    if (table === null) this.top[name] = value;
    else (this.tables[table] ??= {})[name] = value;
    this.converted++;
  }

  note(source: string, key: string, value: unknown, why: string): void {
    // A key left at nothing (false, 0, "", []) asks for nothing: no comment for it.
    if (value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0)) return;
    this.notes.push(`# ${source}: ${key} = ${JSON.stringify(value)}: ${why}`);
  }

  render(header: string): string {
    const lines = [header, ''];
    for (const [key, value] of Object.entries(this.top)) lines.push(line(key, value));
    for (const [table, values] of Object.entries(this.tables)) {
      lines.push('', `[${table}]`);
      for (const [key, value] of Object.entries(values)) lines.push(line(key, value));
    }
    if (this.notes.length > 0) lines.push('', '# Not converted (hot has no equivalent):', ...this.notes);
    return `${lines.join('\n')}\n`;
  }
}

/** `key = value`, a table of strings written inline (`env = { A = "1" }`), as hot's own example does. */
function line(key: string, value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).map(([name, item]) => `${/^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name)} = ${stringify({ v: item }).trim().slice(4)}`);
    return `${key} = { ${entries.join(', ')} }`;
  }
  return stringify({ [key]: value }).trim();
}

export function migrateConfig(file: string, text: string): Migration {
  const name = path.basename(file);
  const draft = new Draft();
  if (name === 'nodemon.json' || name.endsWith('.json')) fromNodemon(parseJson(text, name), draft, name);
  else fromAir(parseTomlFile(text, name), draft, name);
  const header = [
    `# ${CONFIG_FILE_NAME}, converted from ${name} by \`hot init --from ${name}\`.`,
    '# Every key is explained in hot\'s README (Configuration); `hot doctor` checks this setup.',
  ].join('\n');
  const result = draft.render(header);
  // What is written must load: a value of the old file hot cannot take is named before anything is written.
  try {
    validateUserConfig(parseToml(result), { displayFile: `${CONFIG_FILE_NAME} (converted from ${name})`, source: result });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(`${error.message.split('\n')[0]}`, { hint: `fix that value in ${name}, or write ${CONFIG_FILE_NAME} by hand (hot init writes a commented one)` });
  }
  return { text: result, converted: draft.converted, unconverted: draft.notes.length };
}

function parseJson(text: string, name: string): Table {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Table;
  } catch (error) {
    throw new ConfigError(`${name} is not valid JSON: ${(error as Error).message}`, { hint: 'fix it, or write .hotrc.toml by hand (hot init writes a commented one)' });
  }
  throw new ConfigError(`${name} is not a JSON object`, { hint: 'nodemon.json holds one object of settings' });
}

function parseTomlFile(text: string, name: string): Table {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    throw new ConfigError(`${name} is not valid TOML: ${(error as Error).message.split('\n')[0]}`, { hint: 'fix it, or write .hotrc.toml by hand (hot init writes a commented one)' });
  }
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' && value !== '' ? [value] : []);
const trimSlash = (dir: string): string => dir.replace(/^\.\//, '').replace(/\/+$/, '');

/**
 * air's durations: Go's syntax ("500ms", "1s", "1m30s"), or an integer, which air reads as
 * milliseconds below 1,000,000 and as nanoseconds (time.Duration) from there. Undefined: not one.
 */
function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value < 1_000_000 ? value : Math.round(value / 1_000_000);
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value.trim())) return undefined;
  const factor: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, unit] of value.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * factor[unit!]!;
  return Math.round(total);
}

/** air's defaults where .air.toml leaves a key out (air's own config template). */
const AIR_DEFAULTS = { cmd: 'go build -o ./tmp/main .', bin: './tmp/main', includeExt: ['go', 'tpl', 'tmpl', 'html'], tmpDir: 'tmp', testdataDir: 'testdata' };

function fromAir(air: Table, draft: Draft, source: string): void {
  const build = (typeof air.build === 'object' && air.build ? air.build : {}) as Table;
  const seen = new Set<string>();
  const get = (key: string): unknown => {
    seen.add(key);
    return build[key];
  };
  const exts = strings(get('include_ext'));
  const extensions = exts.length > 0 ? exts : AIR_DEFAULTS.includeExt;
  const dirs = strings(get('include_dir')).map(trimSlash);
  const include = dirs.length > 0 ? dirs.flatMap((dir) => extensions.map((ext) => `${dir}/**/*.${ext}`)) : extensions.map((ext) => `**/*.${ext}`);
  if (extensions.includes('go')) include.push('go.mod', 'go.sum');
  include.push(...strings(get('include_file')));
  draft.set('include', include);

  const exclude = strings(get('exclude_dir')).map((dir) => `${trimSlash(dir)}/`);
  for (const dir of [typeof air.tmp_dir === 'string' ? air.tmp_dir : AIR_DEFAULTS.tmpDir, typeof air.testdata_dir === 'string' ? air.testdata_dir : AIR_DEFAULTS.testdataDir]) {
    if (!exclude.includes(`${trimSlash(dir)}/`)) exclude.push(`${trimSlash(dir)}/`);
  }
  exclude.push(...strings(get('exclude_file')));
  for (const pattern of strings(get('exclude_regex'))) {
    if (/^\\?_test\\?\.go$|^_test\.go$/.test(pattern)) exclude.push('**/*_test.go');
    else draft.note(source, 'build.exclude_regex', pattern, 'hot excludes by glob: add the files it matches to exclude');
  }
  draft.set('exclude', exclude);
  if (typeof get('delay') === 'number') draft.set('delay', build.delay);
  const given = (key: string): string | undefined => {
    const value = get(key);
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  // air's newer entrypoint (a path, or its argv) says what bin says.
  const entrypoint = get('entrypoint');
  const entry = Array.isArray(entrypoint) && strings(entrypoint).length > 0 ? strings(entrypoint) : given('entrypoint');
  const bin = given('full_bin') ?? entry ?? given('bin') ?? AIR_DEFAULTS.bin;
  draft.set('bin', bin);
  if (get('poll') === true) draft.set('poll', true);
  if (get('poll_interval') !== undefined) draft.note(source, 'build.poll_interval', build.poll_interval, 'hot polls every 300 ms');

  draft.set('build.cmd', given('cmd') ?? AIR_DEFAULTS.cmd);
  draft.set('run.args', strings(get('args_bin')));
  if (get('send_interrupt') === true) draft.set('run.kill_signal', 'SIGINT');
  const killDelay = durationMs(get('kill_delay'));
  if (killDelay !== undefined && killDelay > 0) draft.set('run.kill_timeout', killDelay);
  else if (killDelay === undefined && build.kill_delay !== undefined) draft.note(source, 'build.kill_delay', build.kill_delay, 'not a duration hot can read: set run.kill_timeout in milliseconds');
  if (get('stop_on_error') === true) draft.set('run.stop_on_error', true);
  if (get('rerun') === true) {
    draft.set('restart.on_clean_exit', 'restart');
    if (typeof get('rerun_delay') === 'number') draft.set('restart.clean_exit_delay', build.rerun_delay);
  }
  seen.add('rerun_delay');
  const pre = strings(get('pre_cmd'));
  if (pre.length > 0) draft.set('hooks.pre_build', pre.join(' && '));
  const post = strings(get('post_cmd'));
  if (post.length > 0) draft.set('hooks.on_exit', post.join(' && '));

  const noted: Record<string, string> = {
    // Not log_file: that copies the program's output too, which then loses its terminal.
    log: 'air keeps build errors there; hot prints them with file:line:col, and log_file (a copy of all hot prints, the program\'s output included) is the nearest',
    exclude_unchanged: 'hot skips the restart when build.output is byte-identical: set build.output to the binary',
    follow_symlink: 'hot follows symlinks by itself',
  };
  for (const [key, value] of Object.entries(build)) {
    if (seen.has(key)) continue;
    draft.note(source, `build.${key}`, value, noted[key] ?? 'no such setting in hot');
  }
  const screen = (air.screen ?? {}) as Table;
  for (const [key, value] of Object.entries(screen)) {
    if (key === 'clear_on_rebuild') draft.set('clear', value === true);
    else draft.note(source, `screen.${key}`, value, 'no such setting in hot');
  }
  if (typeof air.root === 'string' && trimSlash(air.root) !== '' && trimSlash(air.root) !== '.') {
    draft.note(source, 'root', air.root, `hot watches the directory of ${CONFIG_FILE_NAME}: move this file there`);
  }
  for (const [key, value] of Object.entries((air.misc ?? {}) as Table)) {
    draft.note(source, `misc.${key}`, value, key === 'clean_on_exit' ? 'hot leaves the binary where build.cmd wrote it' : 'no such setting in hot');
  }
  // air's look: hot has its own colours and lines, and no proxy of air's kind ([serve] live_reload is hot's).
  for (const table of ['log', 'color', 'proxy']) {
    const values = Object.entries((air[table] ?? {}) as Table).filter(([, value]) => value !== false && value !== '' && value !== 0);
    if (values.length > 0) draft.notes.push(`# ${source}: [${table}] ${values.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(', ')}: ${table === 'proxy' ? 'hot\'s browser reload is [serve] live_reload' : 'hot has its own output format'}`);
  }
}

function fromNodemon(nodemon: Table, draft: Draft, source: string): void {
  const done = new Set(['watch', 'ext', 'ignore', 'delay', 'exec', 'script', 'env', 'signal', 'events', 'legacyWatch', 'polling', 'cwd']);
  const exts = typeof nodemon.ext === 'string' ? nodemon.ext.split(/[\s,|]+/).map((ext) => ext.replace(/^\./, '')).filter(Boolean) : [];
  const watch = strings(nodemon.watch).filter((item) => item !== '*' && item !== '.');
  const include: string[] = [];
  for (const item of watch.length > 0 ? watch : ['']) {
    const isFile = /[*?[{]/.test(item) || path.extname(item) !== '';
    if (isFile) include.push(item);
    else if (exts.length > 0) include.push(...exts.map((ext) => (item ? `${trimSlash(item)}/**/*.${ext}` : `**/*.${ext}`)));
    else if (item) include.push(`${trimSlash(item)}/`);
  }
  draft.set('include', include);
  draft.set('exclude', strings(nodemon.ignore));
  // nodemon.json's delay is in milliseconds, a number or a string of one ("2500", "2500ms").
  const delay = typeof nodemon.delay === 'number' ? nodemon.delay : typeof nodemon.delay === 'string' && /^\d+(ms)?$/.test(nodemon.delay.trim()) ? Number.parseInt(nodemon.delay, 10) : undefined;
  if (delay !== undefined) draft.set('delay', delay);
  else if (nodemon.delay !== undefined) draft.note(source, 'delay', nodemon.delay, 'not a number of milliseconds hot can read: set delay in milliseconds');
  const script = typeof nodemon.script === 'string' ? nodemon.script : null;
  const exec = typeof nodemon.exec === 'string' ? nodemon.exec : null;
  if (exec || script) draft.set('bin', exec ? `${exec}${script ? ` ${script}` : ''}` : `node ${script}`);
  else draft.note(source, 'exec', null, 'nodemon ran package.json main: set bin (or build.entry under [build])');
  if (typeof nodemon.cwd === 'string') draft.set('run.cwd', nodemon.cwd);
  if (nodemon.env && typeof nodemon.env === 'object') draft.set('run.env', Object.fromEntries(Object.entries(nodemon.env as Table).map(([key, value]) => [key, String(value)])));
  if (typeof nodemon.signal === 'string') draft.set('run.kill_signal', nodemon.signal);
  if (nodemon.legacyWatch === true || nodemon.polling === true) draft.set('poll', true);
  const events = (nodemon.events ?? {}) as Table;
  for (const [event, command] of Object.entries(events)) {
    if (event === 'restart' && typeof command === 'string') draft.set('hooks.on_restart', command);
    else if (event === 'crash' && typeof command === 'string') draft.set('hooks.on_crash', command);
    else if (event === 'exit' && typeof command === 'string') draft.note(source, `events.${event}`, command, 'nodemon runs it when the program exits; hot has hooks.on_crash (non-zero) and hooks.on_exit (when hot stops)');
    else draft.note(source, `events.${event}`, command, 'hot has hooks.on_restart, on_crash and on_exit');
  }
  const noted: Record<string, string> = {
    verbose: 'run hot --verbose',
    restartable: 'press r in hot\'s terminal to restart',
    execMap: 'hot runs bin as written: set it to the command for your file type',
    runOnChangeOnly: 'hot starts the program at once',
  };
  for (const [key, value] of Object.entries(nodemon)) {
    if (!done.has(key)) draft.note(source, key, value, noted[key] ?? 'no such setting in hot');
  }
}
