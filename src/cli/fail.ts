import { isHotError } from '../errors.js';
import { createLogger, shouldUseColor } from '../ui/logger.js';

/** Read before cac parses anything, so an error in parsing shows its stack too. */
const debugStacks = process.argv.includes('--debug') || process.env.HOT_DEBUG === '1';

/**
 * The end of a failed command. A user's mistake (a HotError, a bad flag) is one line and a hint,
 * with the error's exit code; anything else is a bug in hot: the stack and a request to report it.
 */
export function fail(error: unknown): never {
  if (isHotError(error)) {
    const stderr = createLogger({ level: 'error', color: shouldUseColor(process.stderr) });
    stderr.error(error.message, error.hint ? { hint: error.hint } : undefined);
    if (debugStacks && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof Error && error.name === 'CACError') {
    const stderr = createLogger({ level: 'error', color: shouldUseColor(process.stderr) });
    stderr.error(error.message, { hint: 'run `hot --help` for the commands and options' });
    process.exit(2);
  }
  process.stderr.write(`[hot] internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stderr.write('[hot] this is a bug in hot: please report it with the lines above\n');
  process.exit(1);
}
