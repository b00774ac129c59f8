// The one load generator lives in bench/lib (plain JS, so benchmarks run without a build); this gives it types.
// @ts-expect-error: a JavaScript module without declarations
import { startLoad as startLoadJs } from '../../bench/lib/load.mjs';

export interface LoadReport {
  ok: number;
  failed: number;
  /** Failures by error code (ECONNREFUSED, ECONNRESET, …) or HTTP status. */
  errors: Record<string, number>;
  /** Longest time without a successful response, across all clients, until the load stopped. */
  maxGapMs: number;
  /** First word of each body seen (the served version). */
  versions: Set<string>;
}

export interface Load {
  stop(): Promise<LoadReport>;
}

export interface LoadOptions {
  clients?: number;
  keepAlive: boolean;
  maxRequests?: number;
  timeoutMs?: number;
  /** GET by default; other methods send a small JSON body. */
  method?: string;
  /** Pause between one client's requests. */
  pauseMs?: number;
}

export function startLoad(port: number, options: LoadOptions): Load {
  return startLoadJs(port, options) as Load;
}
