import type { ResolvedRun } from '../config/schema.js';
import type { ChildExit, Handoff, JobControl, JobEvent, JobState, StartFailure } from '../events.js';
import { spawnChild, type ChildStatus, type SpawnChild } from './child.js';
import { launchGeneration, prepareEnvironment, stopThroughKillPath, wakeStandby, waitUntilReady, type Generation } from './generation.js';
import { StandbyKeeper } from './standby-keeper.js';

export interface JobOptions {
  run: ResolvedRun;
  onEvent(event: JobEvent): void;
  spawn?: SpawnChild;
  /** Proxy, socket or held sockets: the next generation may start beside the current one. Without it: stop, then start. */
  handoff?: Handoff | null;
}

export interface Job {
  readonly state: JobState;
  /** The serving generation's pid. */
  readonly pid: number | null;
  send(control: JobControl): void;
  /** Binds the handoff's public port; resolves with its URL (null without one). */
  open(): Promise<string | null>;
  /** Stops every generation through its kill path, then the handoff; resolves when all are gone. Idempotent. */
  close(): Promise<void>;
}

/**
 * The only owner of a program's generations and of the handoff. Controls are carried out one after
 * the other; what happens is reported as JobEvents. The policy (when to restart, how long to back
 * off) is the pipeline's.
 */
export function createJob(options: JobOptions): Job {
  return new ProgramJob(options);
}

class ProgramJob implements Job {
  readonly #spawn: SpawnChild;
  readonly #handoff: Handoff | null;
  readonly #emit: (event: JobEvent) => void;
  #run: ResolvedRun;
  #state: JobState = 'idle';
  #current: Generation | null = null;
  #backoffTimer: NodeJS.Timeout | undefined;
  #spawns = 0;
  #generations = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Aborted by close(): ends a wait for an env file that is a named pipe. */
  readonly #closeSignal = new AbortController();
  /** Controls run in order: a start waits for the stop before it. */
  #queue: Promise<void> = Promise.resolve();
  /** Every generation not yet gone: serving, starting, draining, or being cleaned up. */
  readonly #alive = new Set<Generation>();
  readonly #stopping = new Set<Promise<unknown>>();
  /** The next generation, started ahead of time. */
  readonly #standby: StandbyKeeper;

  constructor(options: JobOptions) {
    this.#spawn = options.spawn ?? spawnChild;
    this.#handoff = options.handoff ?? null;
    this.#emit = options.onEvent;
    this.#run = options.run;
    this.#standby = new StandbyKeeper({
      handoff: this.#handoff,
      spawn: this.#spawn,
      emit: this.#emit,
      run: () => this.#run,
      serving: () => this.#current?.channel ?? null,
      nextId: () => ++this.#generations,
      closeSignal: this.#closeSignal.signal,
    });
  }

  get state(): JobState {
    return this.#state;
  }

  get pid(): number | null {
    return this.#current && this.#current.child.pid !== 0 ? this.#current.child.pid : null;
  }

  send(control: JobControl): void {
    if (this.#closed && control.type !== 'kill') return;
    switch (control.type) {
      case 'start':
        this.#clearBackoff();
        this.#state = 'starting';
        return this.#enqueue(() => this.#start(control.changedPaths), true);
      case 'stop':
        this.#clearBackoff();
        return this.#enqueue(() => this.#stop());
      case 'kill':
        return this.#kill();
      case 'backoff':
        this.#clearBackoff();
        this.#state = 'backoff';
        this.#backoffTimer = setTimeout(() => {
          this.#backoffTimer = undefined;
          this.#emit({ type: 'backoff-due' });
        }, control.delayMs);
        return;
      case 'trip':
        this.#clearBackoff();
        this.#state = 'tripped';
        return;
      case 'reconfigure':
        this.#run = control.run;
        this.#standby.discard('[run] changed');
        return;
      case 'unavailable':
        this.#handoff?.unavailable(control.reason);
        return;
    }
  }

  async open(): Promise<string | null> {
    return this.#handoff ? this.#handoff.open() : null;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#closeSignal.abort();
      this.#clearBackoff();
      const standbyGone = this.#standby.close();
      // A generation still starting is stopped too, which ends the wait for its readiness.
      this.#stopAll();
      await this.#queue;
      this.#stopAll();
      await Promise.allSettled([...this.#stopping, standbyGone]);
      this.#current = null;
      this.#state = 'idle';
      // The public port goes last: until the program is gone, clients still get answers.
      await this.#handoff?.close();
    })();
    return this.#closing;
  }

  #stopAll(): void {
    for (const generation of this.#alive) if (!generation.stopRequested) void this.#stopGeneration(generation, generation.run.killTimeoutMs);
  }

  #clearBackoff(): void {
    clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
  }

  /**
   * Runs a control after the ones before it. A bug in hot is reported with its stack, and a start it
   * broke still ends (as a failed start), so the pipeline never waits for it forever.
   */
  #enqueue(work: () => Promise<void>, isStart = false): void {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      this.#emit({ type: 'internal-error', error });
      if (isStart) this.#failStart(0, { cause: 'spawn', error: new Error(`internal error in hot: ${(error as Error).message ?? String(error)}`) }, null);
    });
  }

  /** The kill path for one generation, tracked so close() waits for it and kill cuts it short. */
  #stopGeneration(generation: Generation, timeoutMs: number): Promise<void> {
    generation.stopRequested = true;
    const done = stopThroughKillPath(generation, timeoutMs, this.#emit);
    this.#stopping.add(done);
    void done.finally(() => {
      this.#stopping.delete(done);
      this.#alive.delete(generation);
    });
    return done;
  }

  #onExit(generation: Generation, status: ChildStatus): void {
    this.#handoff?.retired(generation.id);
    if (status.spawnError) return; // the start reports it
    const exit: ChildExit = {
      pid: generation.child.pid,
      code: status.code,
      signal: status.signal,
      uptimeMs: Date.now() - generation.child.startedAt,
      requested: generation.stopRequested,
      beforeReady: !generation.ready,
    };
    if (this.#current === generation && !exit.requested) {
      this.#current = null;
      if (this.#state === 'running') this.#state = 'idle';
      this.#handoff?.vacate();
    }
    // Whatever the program left behind in its group goes with it.
    if (!generation.stopRequested) void this.#stopGeneration(generation, generation.run.killTimeoutMs);
    this.#emit({ type: 'exited', exit });
  }

  /** The next generation's environment, or null once its failure is reported (the old one keeps serving). */
  async #environment(): Promise<NodeJS.ProcessEnv | null> {
    const prepared = await prepareEnvironment(this.#run, this.#emit, this.#closeSignal.signal);
    if ('env' in prepared) return this.#closed ? null : prepared.env;
    this.#failStart(0, prepared.failure, null);
    return null;
  }

  async #launch(env: NodeJS.ProcessEnv, changedPaths: readonly string[], ready: boolean): Promise<Generation | null> {
    const warm = this.#standby.take(env, changedPaths);
    let generation: Generation;
    if (warm) {
      this.#handoff?.starting?.(warm.id);
      generation = wakeStandby(warm, this.#spawns, changedPaths, ready);
    } else {
      const id = ++this.#generations;
      const launch = this.#handoff ? await this.#handoff.prepare(id) : { env: {} };
      this.#handoff?.starting?.(id);
      generation = launchGeneration({ id, run: this.#run, env, restartCount: this.#spawns, changedPaths, launch, spawn: this.#spawn, emit: this.#emit }, ready);
    }
    const { child, id } = generation;
    if (child.pid === 0) {
      const status = await child.exited;
      this.#handoff?.retired(id);
      this.#failStart(0, { cause: 'spawn', error: status.spawnError ?? new Error('the command could not be started') }, null);
      return null;
    }
    this.#alive.add(generation);
    this.#handoff?.attach(id, child, (event) => this.#fromHandoff(event));
    void child.exited.then((status) => this.#onExit(generation, status));
    this.#emit({ type: 'spawned', pid: child.pid, restartCount: this.#spawns, warm: warm !== null });
    this.#spawns++;
    return generation;
  }

  /** What the handoff says; a standby with the sockets of before goes. */
  #fromHandoff(event: JobEvent): void {
    this.#standby.handoffEvent(event, this.#state === 'running');
    this.#emit(event);
  }

  #failStart(pid: number, failure: StartFailure, exit: ChildExit | null): void {
    this.#state = this.#current ? 'running' : 'idle';
    this.#emit({ type: 'start-failed', pid, failure, oldServing: this.#current !== null, exit });
    // The fix that follows deserves a warm start too.
    if (failure.cause !== 'spawn') this.#standby.schedule(0, 0);
  }

  #start(changedPaths: readonly string[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#handoff?.startsBeside() ? this.#restartBlueGreen(changedPaths, this.#handoff) : this.#restartInPlace(changedPaths);
  }

  /** Stop, then start: the plain restart. */
  async #restartInPlace(changedPaths: readonly string[]): Promise<void> {
    const env = await this.#environment();
    if (!env) return;
    await this.#stopCurrent();
    if (this.#closed) return;
    this.#state = 'starting';
    const generation = await this.#launch(env, changedPaths, true);
    if (!generation) return;
    this.#current = generation;
    this.#state = 'running';
    this.#handoff?.activate(generation.id);
    this.#emit({ type: 'ready', pid: generation.child.pid, ...(this.#awaitListen(generation) ? { listenPending: true } : {}) });
    // Started, not yet ready: its packages are loaded a while later.
    this.#standby.scheduleAfterStart();
  }

  /**
   * A start in place counts as done once spawned; where the handoff hears the program listen, when
   * it first does is said too (`listening`), so that hot's "ready in" is never the spawn's time.
   */
  #awaitListen(generation: Generation): boolean {
    const handoff = this.#handoff;
    if (!handoff?.onFirstListen || !generation.child.channel) return false;
    const cancel = handoff.onFirstListen(generation.id, () => {
      const at = generation.child.listenedAt?.();
      if (!this.#closed) this.#emit({ type: 'listening', pid: generation.child.pid, ...(at === undefined ? {} : { at }) });
    });
    void generation.child.exited.then(cancel);
    return true;
  }

  /** Start the next generation beside the current one; switch only once it is ready. */
  async #restartBlueGreen(changedPaths: readonly string[], using: Handoff): Promise<void> {
    this.#state = 'starting';
    const env = await this.#environment();
    const next = env && (await this.#launch(env, changedPaths, false));
    if (!next) return;
    const outcome = await waitUntilReady(next, using);
    if (outcome !== 'ready' || this.#closed) return this.#notReady(next, outcome, using);
    next.ready = true;
    const previous = this.#current;
    this.#current = next;
    this.#state = 'running';
    using.activate(next.id);
    if (previous) this.#retire(previous, using);
    this.#emit({ type: 'ready', pid: next.child.pid });
    this.#standby.schedule(0, 0);
  }

  async #notReady(next: Generation, outcome: 'aborted' | 'exited' | 'timeout' | 'ready', using: Handoff): Promise<void> {
    if (outcome !== 'exited') await this.#stopGeneration(next, next.run.killTimeoutMs);
    if (this.#closed) return;
    const status = await next.child.exited;
    const exited = outcome === 'exited';
    const exit: ChildExit = {
      pid: next.child.pid,
      code: exited ? status.code : null,
      signal: exited ? status.signal : null,
      uptimeMs: Date.now() - next.child.startedAt,
      requested: !exited,
      beforeReady: true,
    };
    const failure: StartFailure = exited ? { cause: 'exited', code: status.code, signal: status.signal } : { cause: 'timeout', timeoutMs: using.readyTimeoutMs };
    this.#failStart(next.child.pid, failure, exit);
  }

  /** Requests already on their way to the old generation land before it is told to stop. */
  #retire(previous: Generation, using: Handoff): void {
    previous.stopRequested = true;
    const done = (async () => {
      await new Promise((resolve) => setTimeout(resolve, using.graceMs));
      await this.#stopGeneration(previous, using.drainTimeoutMs ?? previous.run.killTimeoutMs);
    })();
    this.#stopping.add(done);
    void done.finally(() => this.#stopping.delete(done));
  }

  /** The serving generation through its kill path, with its own [run] settings. */
  async #stopCurrent(): Promise<void> {
    const generation = this.#current;
    if (!generation) return;
    this.#state = 'stopping';
    await this.#stopGeneration(generation, generation.run.killTimeoutMs);
    if (this.#current === generation) this.#current = null;
  }

  async #stop(): Promise<void> {
    await this.#stopCurrent();
    this.#state = 'idle';
    this.#handoff?.vacate();
    this.#emit({ type: 'stopped' });
  }

  #kill(): void {
    this.#clearBackoff();
    this.#standby.kill();
    for (const generation of this.#alive) {
      generation.stopRequested = true;
      generation.child.kill();
    }
  }
}
