import type { PackageEvent } from '../events.js';
import { createLogger, shouldUseColor } from '../ui/logger.js';

/**
 * `--json`: one object per line on stdout, stamped with the time. A reader that went away ends the
 * events, not hot: the program keeps running, and hot says so once on stderr.
 */
export function createJsonWriter(out: NodeJS.WriteStream = process.stdout): (event: PackageEvent) => void {
  let open = true;
  out.on('error', (error: NodeJS.ErrnoException) => {
    open = false;
    createLogger({ level: 'warn', color: shouldUseColor(process.stderr) }).warn(`stdout closed (${error.code ?? error.message}): no more --json events; hot keeps running`);
  });
  return (event) => {
    if (open) out.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  };
}
