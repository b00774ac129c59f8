import { earlyMismatch, forgetRecord, firstListen, keptListenMs, recordOf, sameRecord, stampHolds, stopEarly, takeEarly, writeRecord, type EarlyStart, type LaunchRecord, type Stamp, type StopSpec } from '../early-start.js';
import { adoptChild, type SpawnChild } from './child.js';

export interface EarlyAdoption {
  early: EarlyStart;
  /** What the run read before its first start, and its env files; null when its first start cannot be recorded. */
  stamp(): { stamp: Stamp; envFiles: readonly string[]; runEnv: Readonly<Record<string, string>>; stop: StopSpec } | null;
  /** Said when the early process is not the program hot starts. */
  notUsed(why: string): void;
  /** Said when it is. */
  used(pid: number): void;
  /** The early process was stopped (its group is going). */
  stopped(pid: number): void;
}

/**
 * Wraps hot's spawn for the first start of the program (HOT_GENERATION=1): it takes over the early
 * process when that was started exactly as `spec` says, and records how the program starts for the
 * next run's launcher. Every other spawn, and a first start the early process does not match (it is
 * stopped first), is `spawn`'s.
 */
export function adoptingSpawn(spawn: SpawnChild, adoption: EarlyAdoption): SpawnChild {
  let firstSeen = false;
  return (spec) => {
    if (firstSeen || spec.env.HOT_GENERATION !== '1') return spawn(spec);
    firstSeen = true;
    const { early } = adoption;
    const record = remember(adoption, spec);
    const pid = early.pid;
    const waiting = early.started !== null;
    const started = takeEarly(early);
    if (started && early.recorded) {
      // What it read may have changed since it started (a save while hot loaded): then it goes.
      const why = spec.env.HOT_CHANGED !== '' ? 'a change came first' : !stampHolds(early.recorded.stamp, process.env) ? 'a file it read changed since it started' : earlyMismatch(started, early.recorded, spec);
      if (!why) {
        adoption.used(started.child.pid!);
        // The program the last run measured: its listen time holds until this one says otherwise.
        record.carry(early.recorded.listenMs);
        let listenedAt: number | undefined;
        started.onHeard((afterMs) => {
          record.listened(afterMs);
          listenedAt = performance.timeOrigin + started.spawnedAt + afterMs;
        });
        const handle = adoptChild(started.child, spec, started.queue);
        // A function: the handle is copied on its way to the job (a getter would be read once, then).
        return { ...handle, listenedAt: () => listenedAt };
      }
      stopEarly(started);
      adoption.notUsed(why);
    }
    // Stopped, or gone by itself: the watchdog forgets its group once it is gone.
    if (waiting && pid !== null) adoption.stopped(pid);
    const spawnedAt = performance.now();
    const handle = spawn(spec);
    handle.channel?.onMessage(firstListen(spawnedAt, record.listened));
    return handle;
  };
}

interface Remembered {
  /** The program is the one the last run measured (it was adopted): a listen time near that one keeps it. */
  carry(listenMs: number | undefined): void;
  /** The program listened this long after its spawn. */
  listened(afterMs: number): void;
}

/**
 * Written after the spawn, off its path; a record that can no longer hold goes. Once the program
 * listens (`listened`), the record learns how long that took, for the next launcher to wait as long;
 * a program that does not listen this time is recorded without it.
 */
function remember(adoption: EarlyAdoption, spec: Parameters<SpawnChild>[0]): Remembered {
  const { early } = adoption;
  const file = early.file;
  if (!file) return { carry: () => {}, listened: () => {} };
  /** undefined until taken (in a moment); null when there is nothing to keep. */
  let record: LaunchRecord | null | undefined;
  let listenMs: number | undefined;
  let carried: number | undefined;
  let written: LaunchRecord | null = early.recorded;
  const save = (): void => {
    if (!record) return;
    // The measure of this run, else the last run's while this program (the same one) has not listened yet.
    const kept = listenMs ?? carried;
    const next: LaunchRecord = { ...record, ...(kept === undefined ? {} : { listenMs: kept }) };
    if (sameRecord(next, written)) return;
    writeRecord(file, next);
    written = next;
  };
  setImmediate(() => {
    try {
      // A start a change led to (a config reload before it) is not what the next run would do.
      const stamped = spec.env.HOT_CHANGED === '' ? adoption.stamp() : null;
      record = stamped ? recordOf(early.key, spec, stamped.stamp, process.env, stamped.envFiles, stamped.runEnv, stamped.stop) : null;
    } catch {
      // A stamp that cannot be taken: nothing to keep.
      record = null;
    }
    try {
      if (record) save();
      else if (early.recorded) forgetRecord(file);
    } catch {
      // The cache is not writable: nothing to keep.
    }
  }).unref();
  return {
    carry(ms) {
      carried = ms;
    },
    listened(afterMs) {
      listenMs = keptListenMs(carried, afterMs);
      // Off the handoff's way: it hears the same message next.
      setImmediate(() => {
        try {
          save();
        } catch {
          // The cache is not writable: nothing to keep.
        }
      }).unref();
    },
  };
}
