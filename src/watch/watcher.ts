import type { Watcher, WatcherOptions } from './backend.js';
import { createChokidarWatcher } from './chokidar-watcher.js';
import { createNativeWatcher, nativeWatcherUnavailable } from './native-watcher.js';

export type { Watcher, WatcherOptions } from './backend.js';
export { nativeWatcherUnavailable } from './native-watcher.js';

/**
 * The watch stage's one way to watch a tree: the native watcher, chokidar where it cannot run (its
 * module does not load, or it fails to start: out of inotify watches, where chokidar then polls just
 * what it could not watch), chokidar's polling with `poll`. Nothing above this knows which is in use.
 */
export function createWatcher(options: WatcherOptions): Watcher {
  if (options.poll) return createChokidarWatcher(options);
  const unavailable = nativeWatcherUnavailable();
  if (unavailable !== null) {
    sayOnce(options, `native file watching is not available (${unavailable}): using chokidar`);
    return createChokidarWatcher(options);
  }
  return new FallbackWatcher(options);
}

let said = false;
function sayOnce(options: WatcherOptions, line: string): void {
  if (said) return;
  said = true;
  options.logger.debug(line);
}

/** The native watcher, replaced by chokidar if it fails to start. */
class FallbackWatcher implements Watcher {
  readonly ready: Promise<void>;
  #current: Watcher;
  #closed = false;

  constructor(options: WatcherOptions) {
    const native = createNativeWatcher(options);
    this.#current = native;
    this.ready = native.ready.catch(async (error: unknown) => {
      await native.close();
      if (this.#closed) return;
      const code = (error as NodeJS.ErrnoException).code;
      sayOnce(options, `native file watching failed to start (${(error as Error).message ?? String(error)}): using chokidar`);
      if (code === 'ENOSPC') options.logger.debug('out of inotify watches for the native watcher: chokidar watches what it can and polls the rest');
      this.#current = createChokidarWatcher(options);
      await this.#current.ready;
    });
  }

  watchedFileCount(): number {
    return this.#current.watchedFileCount();
  }

  async refresh(options: WatcherOptions): Promise<boolean> {
    await this.ready;
    return this.#current.refresh(options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#current.close();
  }
}
