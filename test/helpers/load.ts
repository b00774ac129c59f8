// The one load generator lives in bench/lib (plain JS, so benchmarks run without a build); this gives it types.
// Tests assert what the load saw (failures, versions), never how fast: times belong to bench/.
// @ts-expect-error: a JavaScript module without declarations
import { startLoad as startLoadJs } from '../../bench/lib/load.mjs';

export interface LoadProgress {
  ok: number;
  failed: number;
  /** First word of each body seen (the served version). */
  versions: Set<string>;
}

export interface LoadReport extends LoadProgress {
  /** Failures by error code (ECONNREFUSED, ECONNRESET, …) or HTTP status. */
  errors: Record<string, number>;
}

export interface Load {
  /** The counts so far, while the load runs. */
  progress(): LoadProgress;
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
  /** HTTPS, accepting a self-signed certificate. */
  tls?: boolean;
}

export function startLoad(port: number, options: LoadOptions): Load {
  return startLoadJs(port, options) as Load;
}
