import type { ResolvedRun } from '../config/schema.js';
import type { Handoff, JobEvent } from '../events.js';
import { readResidentBytes } from '../platform/proc.js';
import type { SpawnChild } from './child.js';
import { prepareEnvironment, spawnStandby, type StandbySpec } from './generation.js';
import { settlesWithin } from './settle.js';
import { standbyMismatch, type Standby, type StandbyChannel } from './standby.js';

/**
 * A generation started without a readiness signal (a first start, a plain restart) boots alone: its
 * standby starts once it first listens on a socket hot holds, or after this long if it does not.
 * Booting both at once on a small machine made the first start of a TypeScript app twice as slow.
 * One that listens (held sockets, a proxy) has its standby started, and is asked, at once.
 */
const STANDBY_AFTER_START_MS = 1500;
const STANDBY_REPORT_AFTER_START_MS = 1500;
/** How long the serving generation may take to say which packages it loaded. */
const STANDBY_REPORT_TIMEOUT_MS = 2000;
/** How long a standby may take to import them before it is called ready anyway. */
const STANDBY_WARM_TIMEOUT_MS = 30_000;
/** A SIGKILLed standby stuck in the kernel is not waited for longer than this. */
const REAP_TIMEOUT_MS = 5000;

export interface StandbyKeeperOptions {
  handoff: Handoff | null;
  spawn: SpawnChild;
  emit(event: JobEvent): void;
  /** The job's [run] now. */
  run(): ResolvedRun;
  /** The serving generation's socket: it is asked which packages it loaded. */
  serving(): StandbyChannel | null;
  /** A new generation number (the handoff prepares its fds under it). */
  nextId(): number;
  /** Aborted when the job closes. */
  closeSignal: AbortSignal;
}

/**
 * The job's warm standby: the next generation, started ahead of time and waiting before the
 * program's entry; it is taken by the next start when it still matches, and dropped otherwise.
 */
export class StandbyKeeper {
  readonly #options: StandbyKeeperOptions;
  #standby: Standby | null = null;
  #standbyTimer: NodeJS.Timeout | undefined;
  #reportTimer: NodeJS.Timeout | undefined;
  #preparingStandby = false;
  #standbyAgain = false;
  /** A plain start's standby waits for it to listen (or for STANDBY_AFTER_START_MS). */
  #waitingForListen = false;
  /** What the last report named: the CommonJS files from node_modules a standby imports. */
  #warmList: readonly string[] = [];
  /** Exits of dropped standbys not yet gone, waited for by close(). */
  readonly #gone = new Set<Promise<void>>();

  constructor(options: StandbyKeeperOptions) {
    this.#options = options;
  }

  /** After a plain start (no readiness signal): the program boots alone a moment first. */
  scheduleAfterStart(): void {
    this.schedule(STANDBY_AFTER_START_MS, STANDBY_REPORT_AFTER_START_MS);
    this.#waitingForListen = true;
  }

  /** SIGKILL to the standby at once (hot is being killed). */
  kill(): void {
    clearTimeout(this.#standbyTimer);
    clearTimeout(this.#reportTimer);
    this.#standby?.child.kill();
  }

  /** No standby from now on; resolves once every standby started is gone (SIGKILLed: at most REAP_TIMEOUT_MS). */
  async close(): Promise<void> {
    clearTimeout(this.#standbyTimer);
    clearTimeout(this.#reportTimer);
    this.discard(null);
    await settlesWithin(Promise.allSettled([...this.#gone]), REAP_TIMEOUT_MS);
  }

  /**
   * What the handoff says. A standby inherited the sockets held when it started: one hot no longer
   * holds must not stay open in it (the port would stay taken), and one held since is missing there.
   */
  handoffEvent(event: JobEvent, running: boolean): void {
    // The program listens: booted, its packages loaded; its standby may start now.
    if (event.type === 'holding' && this.#waitingForListen && running) return this.schedule(0, 0);
    const standby = this.#standby;
    if ((event.type === 'holding' || event.type === 'released') && standby && standby.epoch !== (this.#options.handoff?.epoch ?? 0)) {
      this.discard('hot holds other sockets now', running);
      if (running) this.schedule(0, 0);
    }
  }

  /** The standby, when it can be this start's generation; otherwise it goes, and why is said. */
  take(env: NodeJS.ProcessEnv, changedPaths: readonly string[]): Standby | null {
    const standby = this.#standby;
    if (!standby) return null;
    const why = standbyMismatch(standby, { run: this.#options.run(), env, epoch: this.#options.handoff?.epoch ?? 0, changedPaths });
    if (why) {
      this.discard(why);
      return null;
    }
    this.#standby = null;
    return standby;
  }

  /** Stops the standby (it has run nothing of the program); `reason` is said when not null. */
  discard(reason: string | null, replaced = false): void {
    const standby = this.#standby;
    if (!standby) return;
    this.#standby = null;
    if (reason) this.#options.emit({ type: 'standby', state: 'discarded', pid: standby.child.pid, detail: reason, ...(replaced ? { replaced } : {}) });
    this.#options.handoff?.retired(standby.id);
    standby.child.kill();
    const gone = standby.child.exited.then(() => undefined);
    this.#gone.add(gone);
    void gone.finally(() => this.#gone.delete(gone));
  }

  /**
   * After a generation is ready: the next one is started ahead of time (`afterMs`), with the
   * packages the last report named; this generation is asked which packages it loaded once it has
   * had time to load them (`askAfterMs`), and a standby still waiting imports what is new.
   */
  schedule(afterMs: number, askAfterMs: number): void {
    this.#waitingForListen = false;
    if (!this.#options.run().standby || this.#options.closeSignal.aborted) return;
    clearTimeout(this.#standbyTimer);
    clearTimeout(this.#reportTimer);
    const guard = (work: () => Promise<void>) => () => void work().catch((error: unknown) => this.#options.emit({ type: 'internal-error', error }));
    this.#standbyTimer = setTimeout(guard(() => this.#prepareStandby()), afterMs);
    this.#reportTimer = setTimeout(guard(() => this.#askLoaded()), askAfterMs);
    this.#standbyTimer.unref();
    this.#reportTimer.unref();
  }

  /** The serving generation names the packages it loaded; a waiting standby imports those it has not. */
  async #askLoaded(): Promise<void> {
    const channel = this.#options.serving();
    if (!channel) return;
    const reply = channel.next<string[]>('loaded', STANDBY_REPORT_TIMEOUT_MS);
    channel.send({ report: true });
    const reported = await reply;
    if (!Array.isArray(reported)) return;
    this.#warmList = reported.filter((file): file is string => typeof file === 'string');
    const standby = this.#standby;
    if (standby?.alive && !this.#options.closeSignal.aborted) await this.#warm(standby, this.#warmList);
  }

  /** Sends the standby the files it has not imported yet (one batch at a time); says how many it has, once it has them. */
  #warm(standby: Standby, files: readonly string[]): Promise<void> {
    standby.warming = standby.warming.then(() => this.#warmNow(standby, files));
    return standby.warming;
  }

  async #warmNow(standby: Standby, files: readonly string[]): Promise<void> {
    if (this.#standby !== standby) return;
    const fresh = files.filter((file) => !standby.sent.has(file));
    // The first batch is sent even when empty: its answer says the standby has booted.
    if (fresh.length === 0 && standby.booted) return;
    standby.booted = true;
    for (const file of fresh) standby.sent.add(file);
    const reply = standby.channel.next<number>('warmed', STANDBY_WARM_TIMEOUT_MS);
    standby.channel.send({ warm: fresh });
    const warmed = await reply;
    if (this.#standby !== standby) return;
    standby.warmed += warmed ?? 0;
    const rss = readResidentBytes(standby.child.pid);
    const memory = rss === null ? '' : `, ${Math.round(rss / (1024 * 1024))} MB`;
    this.#options.emit({ type: 'standby', state: 'ready', pid: standby.child.pid, detail: `${standby.warmed} of ${standby.sent.size} packages imported in ${Date.now() - standby.startedAt} ms${memory}` });
  }

  async #prepareStandby(): Promise<void> {
    const run = this.#options.run();
    if (!run.standby || this.#options.closeSignal.aborted || this.#standby) return;
    if (this.#preparingStandby) {
      // The one being prepared may be dropped before it is done (its sockets changed): then another.
      this.#standbyAgain = true;
      return;
    }
    this.#preparingStandby = true;
    try {
      const prepared = await prepareEnvironment(run, () => {}, this.#options.closeSignal);
      if (!('env' in prepared) || this.#options.closeSignal.aborted || this.#standby || this.#options.run() !== run) return;
      // A second process with the inspector on would take the running version's debug port.
      if (/--inspect|--debug-port/.test(prepared.env.NODE_OPTIONS ?? '')) return;
      const id = this.#options.nextId();
      // Read before the fds are: sockets held or let go meanwhile make it stale, never fresh.
      const epoch = this.#options.handoff?.epoch ?? 0;
      const launch = this.#options.handoff ? await this.#options.handoff.prepare(id) : { env: {} };
      // What the handoff prepared for a generation that never comes (a notify socket) goes with it.
      const forget = (): void => this.#options.handoff?.retired(id);
      if (this.#options.closeSignal.aborted || this.#options.run() !== run) return forget();
      let standby: Standby | null;
      try {
        standby = spawnStandby({ id, run: run as StandbySpec['run'], env: prepared.env, launch, epoch, spawn: this.#options.spawn });
      } catch (error) {
        forget();
        // A socket let go of between prepare and spawn (its handle closed): the next start is cold.
        this.#options.emit({ type: 'standby', state: 'lost', pid: 0, detail: `it could not be started: ${(error as Error).message ?? String(error)}` });
        return;
      }
      if (!standby) return forget();
      this.#standby = standby;
      void standby.child.exited.then(() => {
        if (this.#standby !== standby) return;
        this.#standby = null;
        this.#options.handoff?.retired(standby.id);
        this.#options.emit({ type: 'standby', state: 'lost', pid: standby.child.pid, detail: 'it exited before it was needed' });
      });
      await this.#warm(standby, this.#warmList);
    } finally {
      this.#preparingStandby = false;
      if (this.#standbyAgain) {
        this.#standbyAgain = false;
        await this.#prepareStandby();
      }
    }
  }
}
