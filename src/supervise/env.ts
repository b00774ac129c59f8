import { SpawnError } from '../errors.js';
import { readEnvFile } from './env-file.js';

export interface ChildEnvInput {
  envFiles: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Called once per unreadable env file, with the path and the reason. */
  onMissing?: (file: string, reason: string) => void;
  /** Ends the wait for an env file that is a named pipe (hot is stopping). */
  signal?: AbortSignal;
  /** How long a named pipe may take; PIPE_READ_TIMEOUT_MS when not given (tests shorten it). */
  pipeTimeoutMs?: number;
}

/**
 * The program's environment, lowest precedence first: env files (like dotenv, they never override
 * the real environment), hot's own environment, then `run.env`; each start adds hot's variables (HOT,
 * HOT_CHANGED…) over it. Files are re-read on every start, so an edit to .env applies on the next
 * restart. Content no environment can hold (a UTF-16 file, a NUL character) is a SpawnError, raised
 * before the job stops anything.
 */
export async function buildChildEnv(input: ChildEnvInput, base: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const fromFiles: Record<string, string> = {};
  for (const file of input.envFiles) {
    const read = await readEnvFile(file, input);
    if (read.ok) Object.assign(fromFiles, read.variables);
    // A read cut short because hot is stopping says nothing about the file.
    else if (!input.signal?.aborted) input.onMissing?.(file, read.reason);
  }
  for (const [name, value] of Object.entries(input.env)) {
    if (`${name}${value}`.includes('\0')) throw new SpawnError(`run.env ${JSON.stringify(name)} must not contain a NUL character (no program can receive one in its environment)`);
  }
  return { ...fromFiles, ...base, ...input.env };
}

/** Linux refuses one environment string over 128 KiB (E2BIG): a huge change list is cut well below. */
const MAX_CHANGED_BYTES = 64 * 1024;

/**
 * HOT_CHANGED: the changed paths, one per line; HOT_CHANGED_JSON: the same paths as a JSON array, for
 * names that hold a line break (an environment cannot carry NUL, so there is no NUL-separated form).
 * A list too long for the environment keeps the paths that fit, in both, and sets HOT_CHANGED_TRUNCATED=1.
 */
export function changedPathsVariables(paths: readonly string[]): Record<string, string> {
  const kept: string[] = [];
  let lineBytes = -1;
  let jsonBytes = 1;
  for (const file of paths) {
    lineBytes += Buffer.byteLength(file) + 1;
    jsonBytes += Buffer.byteLength(JSON.stringify(file)) + 1;
    if (Math.max(lineBytes, jsonBytes) > MAX_CHANGED_BYTES) return { ...changedVariables(kept), HOT_CHANGED_TRUNCATED: '1' };
    kept.push(file);
  }
  return changedVariables(kept);
}

function changedVariables(paths: readonly string[]): Record<string, string> {
  return { HOT_CHANGED: paths.join('\n'), HOT_CHANGED_JSON: JSON.stringify(paths) };
}
