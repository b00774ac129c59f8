import { constants as osConstants } from 'node:os';
import type { Logger } from '../ui/logger.js';
import { fail } from './fail.js';

export interface Stoppable {
  close(): Promise<void>;
  kill(): void;
  restart(reason: string): Promise<void>;
}

/**
 * SIGINT/SIGTERM/SIGHUP stop the program through its kill path, then hot exits with 128 + the signal
 * number; a second one kills the program's group at once. SIGUSR2 restarts now.
 */
export function handleSignals(app: Stoppable, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    const code = 128 + (osConstants.signals[signal] ?? 0);
    if (stopping) {
      logger.warn(`${signal} again: killing the app`);
      app.kill();
      process.exit(code);
    }
    stopping = true;
    logger.debug(`${signal} received, stopping the app`);
    app.close().then(
      () => process.exit(code),
      (error: unknown) => fail(error),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  process.on('SIGUSR2', () => void app.restart('SIGUSR2 received'));
  // Whatever way hot goes down, the program's process group goes with it.
  process.on('exit', () => app.kill());
}
