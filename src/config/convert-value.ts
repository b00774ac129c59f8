import { constants as osConstants } from 'node:os';
import picomatch from 'picomatch';
import { closestMatch } from './did-you-mean.js';
import type { Command, SettingSpec, ValueType } from './schema.js';
import { commandLineProblem, parseCommandLine } from './command-line.js';

const SIGNAL_NAMES = Object.keys(osConstants.signals);

/** A failure may point into a table: `at` is the entry at fault (`run.env` → `run.env.TOKEN`). */
export type Converted = { ok: true; value: unknown } | { ok: false; expected: string; at?: { key: string; value: unknown } };

/** Checks one raw value (from the file or a flag) against its setting's type and converts it to hot's units. */
export function convert(spec: SettingSpec, raw: unknown): Converted {
  const expected = EXPECTED[spec.type];
  const fail: Converted = { ok: false, expected };
  switch (spec.type) {
    case 'string':
      return typeof raw === 'string' && raw.trim() !== '' ? { ok: true, value: raw } : fail;
    case 'string-list':
    case 'string-or-list': {
      const list = typeof raw === 'string' ? [raw] : raw;
      if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && (item.trim() !== '' || !spec.glob))) return fail;
      if (spec.glob) {
        const bad = list.find((pattern) => pattern.trim() === '' || !isValidGlob(pattern as string));
        if (bad !== undefined) return { ok: false, expected: `valid glob patterns (${JSON.stringify(bad)} is not one)` };
      }
      return { ok: true, value: list };
    }
    case 'command':
      return toCommand(raw) ?? fail;
    case 'ms':
      return toMilliseconds(raw) ?? fail;
    case 'count':
      return Number.isSafeInteger(raw) && (raw as number) >= 0 ? { ok: true, value: raw } : fail;
    case 'boolean':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : fail;
    case 'signal':
      return toSignal(raw) ?? fail;
    case 'env-table':
      return isTable(raw) ? toEnvTable(raw) : fail;
    case 'choice':
      return typeof raw === 'string' && spec.choices?.includes(raw) ? { ok: true, value: raw } : { ok: false, expected: `one of ${(spec.choices ?? []).map((c) => JSON.stringify(c)).join(', ')}` };
    case 'switch':
      return typeof raw === 'boolean' || (typeof raw === 'string' && spec.choices?.includes(raw)) ? { ok: true, value: raw } : { ok: false, expected: `true, false or ${(spec.choices ?? []).map((c) => JSON.stringify(c)).join(', ')}` };
    case 'pattern':
      return typeof raw === 'string' && raw !== '' && isValidRegExp(raw) ? { ok: true, value: raw } : fail;
    case 'port':
      return Number.isSafeInteger(raw) && (raw as number) >= 0 && (raw as number) <= 65535 ? { ok: true, value: raw } : fail;
    case 'hosts':
      return toHosts(raw) ?? fail;
    case 'listeners':
      return toListeners(raw);
    case 'table':
      return isTable(raw) ? { ok: true, value: raw } : fail;
  }
}

const EXPECTED: Record<ValueType, string> = {
  string: 'a non-empty string',
  'string-list': 'an array of strings, e.g. ["src/**/*.ts"]',
  'string-or-list': 'a string or an array of strings, e.g. [".env", ".env.local"]',
  command: 'a command line ("node dist/server.js") or an array of arguments (["node", "dist/server.js"])',
  ms: 'a number of milliseconds (e.g. 500) or a duration such as "2s"',
  count: 'a whole number (0 or more)',
  boolean: 'true or false',
  signal: 'a signal name such as "SIGTERM" or "SIGINT"',
  'env-table': 'a table of strings, e.g. { NODE_ENV = "development" }',
  choice: 'one of the listed values',
  switch: 'true, false or one of the listed values',
  port: 'a port number from 0 to 65535',
  pattern: 'a regular expression, e.g. "listening on"',
  hosts: 'true, or an array of host names, e.g. ["myapp.test", ".example.test"]',
  listeners: 'an array of tables with a port and a name, e.g. [{ port = 8080, name = "http" }, { port = 8443, name = "https" }]',
  table: 'a table',
};

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    // Not a regular expression: the message says what was expected.
    return false;
  }
}

function isValidGlob(pattern: string): boolean {
  try {
    picomatch(pattern);
    return true;
  } catch {
    // picomatch rejects what it cannot compile: that is the answer.
    return false;
  }
}

function toCommand(raw: unknown): Converted | undefined {
  if (typeof raw === 'string' && raw.trim() !== '') {
    const problem = commandLineProblem(raw);
    return problem ? { ok: false, expected: `a command line ${problem}` } : { ok: true, value: parseCommandLine(raw) };
  }
  if (Array.isArray(raw) && raw.length > 0 && raw.every((a) => typeof a === 'string') && raw[0] !== '') {
    if (raw.some((a) => (a as string).includes('\0'))) return { ok: false, expected: 'an array of arguments without NUL characters ("\\u0000" cannot be passed to a program)' };
    const command: Command = { kind: 'argv', argv: raw as string[] };
    return { ok: true, value: command };
  }
  return undefined;
}

/** A host name as a Host header carries it, without the port; a leading dot stands for its subdomains. */
const HOST_NAME = /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i;

function toHosts(raw: unknown): Converted | undefined {
  if (raw === true) return { ok: true, value: true };
  if (!Array.isArray(raw) || !raw.every((item) => typeof item === 'string')) return undefined;
  const bad = raw.find((name: string) => !HOST_NAME.test(name));
  if (bad !== undefined) return { ok: false, expected: `host names without a scheme or port, e.g. ["myapp.test", ".example.test"] (${JSON.stringify(bad)} is not one)` };
  return { ok: true, value: raw };
}

/** A name LISTEN_FDNAMES can carry: systemd allows up to 255 printable characters, no colon. */
const FD_NAME = /^[A-Za-z0-9_.+@-]{1,255}$/;

function toListeners(raw: unknown): Converted {
  const fail = (expected: string): Converted => ({ ok: false, expected });
  if (!Array.isArray(raw) || raw.length === 0) return fail(EXPECTED.listeners);
  const listeners: Array<{ port: number; name: string }> = [];
  for (const [index, item] of raw.entries()) {
    const where = `entry ${index + 1}`;
    if (!isTable(item)) return fail(`${EXPECTED.listeners} (${where} is not a table)`);
    const extra = Object.keys(item).find((key) => key !== 'port' && key !== 'name');
    if (extra !== undefined) return fail(`tables with only port and name (${where} has "${extra}")`);
    const { port, name = 'unknown' } = item as { port?: unknown; name?: unknown };
    if (!Number.isSafeInteger(port) || (port as number) < 0 || (port as number) > 65535) return fail(`a port number from 0 to 65535 in every entry (${where}: ${JSON.stringify(port ?? null)})`);
    if (typeof name !== 'string' || !FD_NAME.test(name)) return fail(`names of letters, digits and . _ - + @, no colon (${where}: ${JSON.stringify(name)})`);
    if (port !== 0 && listeners.some((listener) => listener.port === port)) return fail(`each port once (${port} is listed twice)`);
    listeners.push({ port: port as number, name });
  }
  return { ok: true, value: listeners };
}

function toMilliseconds(raw: unknown): Converted | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= 2 ** 31 - 1) return { ok: true, value: Math.round(raw) };
  if (typeof raw === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(raw);
    if (match) {
      const factor = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000;
      const value = Math.round(Number(match[1]) * factor);
      if (value <= 2 ** 31 - 1) return { ok: true, value };
    }
  }
  return undefined;
}

function toSignal(raw: unknown): Converted | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (SIGNAL_NAMES.includes(name)) return { ok: true, value: name };
  const guess = closestMatch(name, SIGNAL_NAMES);
  return { ok: false, expected: `a signal name such as "SIGTERM"${guess ? ` (did you mean "${guess}"?)` : ''}` };
}

function toEnvTable(raw: Record<string, unknown>): Converted {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name.includes('\0') || (typeof value === 'string' && value.includes('\0'))) {
      return { ok: false, expected: 'a string without NUL characters ("\\u0000" cannot be passed in an environment)', at: { key: name, value } };
    }
    if (typeof value === 'string') env[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') env[name] = String(value);
    else return { ok: false, expected: EXPECTED['env-table'] };
  }
  return { ok: true, value: env };
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
