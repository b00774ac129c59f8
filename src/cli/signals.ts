import { constants as osConstants } from 'node:os';
import { takeOverSignals } from '../early-start.js';
import type { Logger } from '../ui/logger.js';
import { fail } from './fail.js';

/** Why hot stops: a signal from outside, or the person pressing `q`. */
export type StopRequest = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'quit' };

export interface Stoppable {
  close(): Promise<void>;
  kill(): void;
  restart(reason: string): Promise<void>;
}

export interface StopControl {
  /** `q`: stop like Ctrl-C, through the kill path, but exit 0. */
  quit(): void;
}

/**
 * A signal ends hot with 128 + its number, as a shell reports a program the signal stopped; a
 * deliberate quit is no interruption, so it exits 0.
 */
export function exitCodeFor(request: StopRequest): number {
  if (request.kind === 'quit') return 0;
  return 128 + (osConstants.signals[request.signal] ?? 0);
}

function nameOf(request: StopRequest): string {
  return request.kind === 'quit' ? 'quit' : request.signal;
}

/**
 * SIGINT/SIGTERM/SIGHUP (and `quit()`) stop the program through its kill path, then hot exits with
 * exitCodeFor(); a second request kills the program's group at once. SIGUSR2 restarts now.
 */
export function handleSignals(app: Stoppable, logger: Logger): StopControl {
  let state: { kind: 'running' } | { kind: 'stopping'; by: StopRequest } = { kind: 'running' };
  const stop = (request: StopRequest): void => {
    const code = exitCodeFor(request);
    if (state.kind === 'stopping') {
      const again = nameOf(state.by) === nameOf(request) ? ' again' : ' while stopping';
      logger.warn(`${nameOf(request)}${again}: killing the app`);
      app.kill();
      process.exit(code);
    }
    state = { kind: 'stopping', by: request };
    logger.debug(request.kind === 'quit' ? 'quit requested, stopping the app' : `${request.signal} received, stopping the app`);
    app.close().then(
      () => process.exit(code),
      (error: unknown) => fail(error),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop({ kind: 'signal', signal }));
  process.on('SIGUSR2', () => void app.restart('SIGUSR2 received'));
  // Whatever way hot goes down, the program's process group goes with it.
  process.on('exit', () => app.kill());
  // Ctrl-C while hot loaded, after its launcher had waited for the program to listen: now it stops.
  const early = takeOverSignals();
  if (early) stop({ kind: 'signal', signal: early });
  return { quit: () => stop({ kind: 'quit' }) };
}
