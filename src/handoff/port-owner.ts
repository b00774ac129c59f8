import { findListeningProcess } from '../platform/proc.js';

/**
 * Which process listens on a TCP port, on Linux, for "port 3000 is taken by pid 123 (node server.js)".
 * Null when it cannot tell (other OS, no access).
 */
export function findPortOwner(port: number): { pid: number; command: string } | null {
  return findListeningProcess(port);
}
