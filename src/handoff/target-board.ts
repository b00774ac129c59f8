/** Where new connections go: the ready generation, or nowhere yet (they wait), or nowhere at all (502). */
export interface Target {
  generation: number;
  host: string;
  port: number;
}

export type TargetWait = { kind: 'target'; target: Target } | { kind: 'unavailable'; reason: string };

export interface TargetBoard {
  readonly current: Target | null;
  /** New connections go to `target` from now on; waiting ones are released to it. */
  set(target: Target): void;
  /** No generation can serve for a while: new connections wait (up to the wait timeout). */
  clear(): void;
  /** No generation will serve until the next `set`: waiting and new connections get `reason`. */
  fail(reason: string): void;
  /** Forget the failure: a generation is starting, so connections wait for it. */
  clearFailure(): void;
  /** The current target, or the next one within `timeoutMs`, or why there is none. */
  wait(timeoutMs: number): Promise<TargetWait>;
  /** Like `wait`, but skips `stale`: for a request whose target stopped answering. */
  waitForOther(stale: Target, timeoutMs: number): Promise<TargetWait>;
  close(reason: string): void;
}

export function createTargetBoard(): TargetBoard {
  let current: Target | null = null;
  let failure: string | null = null;
  const waiters = new Set<(result: TargetWait) => void>();

  const release = (result: TargetWait): void => {
    for (const waiter of [...waiters]) waiter(result);
    waiters.clear();
  };

  return {
    get current() {
      return current;
    },
    set(target) {
      current = target;
      failure = null;
      release({ kind: 'target', target });
    },
    clear() {
      current = null;
    },
    fail(reason) {
      current = null;
      failure = reason;
      release({ kind: 'unavailable', reason });
    },
    clearFailure() {
      failure = null;
    },
    wait(timeoutMs) {
      return waitSkipping(null, timeoutMs);
    },
    waitForOther(stale, timeoutMs) {
      return waitSkipping(stale, timeoutMs);
    },
    close(reason) {
      current = null;
      failure = reason;
      release({ kind: 'unavailable', reason });
    },
  };

  function waitSkipping(stale: Target | null, timeoutMs: number): Promise<TargetWait> {
    if (current && current !== stale) return Promise.resolve({ kind: 'target', target: current });
    if (failure) return Promise.resolve({ kind: 'unavailable', reason: failure });
    return new Promise<TargetWait>((resolve) => {
      const timer = setTimeout(() => {
        waiters.delete(done);
        resolve({ kind: 'unavailable', reason: `no version of the app became ready within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
      const done = (result: TargetWait): void => {
        clearTimeout(timer);
        resolve(result);
      };
      waiters.add(done);
    });
  }
}
