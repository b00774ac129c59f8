import type { BuildResult } from '../events.js';

/** One build step: the app calls `build()` once per cycle, never two at once. */
export interface Builder {
  /** How the build reads in hot's log, e.g. `esbuild src/server.ts`. */
  readonly description: string;
  /** `changedPaths`: the files whose change started this build (none for a start or a requested restart). */
  build(changedPaths?: readonly string[]): Promise<BuildResult>;
  /** True when the last build read this file, so a change to it matters even outside `include`. */
  isInput(absolutePath: string): boolean;
  /** The files the last good build read (absolute), where the builder knows them. */
  inputFiles?(): readonly string[];
  /** Ends a running build at once (SIGKILL to a build command's group), for a second Ctrl-C. */
  kill(): void;
  close(): Promise<void>;
}

/** For configs without a build: every cycle just restarts the program. */
export function createNoBuilder(): Builder {
  return {
    description: 'no build',
    build: async () => ({ type: 'built', durationMs: 0, outputChanged: true }),
    isInput: () => false,
    kill: () => {},
    close: async () => {},
  };
}
