import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Every read of Linux's /proc in one place: process groups, open files, listening sockets, inotify.
 * Off Linux, or where /proc is hidden, each reader says it cannot tell (null) or finds nothing;
 * what that means is the caller's decision. Processes come and go while /proc is walked: an entry
 * that vanishes between the listing and the read is skipped here, and nowhere else.
 */

const IS_LINUX = process.platform === 'linux';

export interface ProcessStat {
  /** One letter: R running, S sleeping, Z zombie, X dead, … */
  state: string;
  pgrp: number;
  /** The foreground process group of the process's controlling terminal; -1 without one. */
  tpgid: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone or /proc is not there. */
export function readProcessStat(pid: number | 'self'): ProcessStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]), tpgid: Number(fields[5]) };
  } catch {
    // The process exited between readdir and read, or there is no /proc.
    return undefined;
  }
}

/** The pids /proc lists; null when it cannot be listed (not Linux, a hardened mount). */
function listProcessIds(): number[] | null {
  if (!IS_LINUX) return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    // /proc not readable: the caller decides what "cannot tell" means.
    return null;
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/**
 * The members of a process group that are not zombies, at most `limit` of them; null when /proc
 * cannot tell. Orphaned zombies stay in their group until some init reaps them, which a container's
 * init may never do, so kill(0) alone would call such a group alive.
 */
export function liveGroupMembers(pgid: number, limit = Number.POSITIVE_INFINITY): number[] | null {
  const pids = listProcessIds();
  if (pids === null) return null;
  const members: number[] = [];
  for (const pid of pids) {
    if (members.length >= limit) break;
    const stat = readProcessStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

/**
 * Whether this process's group owns its terminal (pgrp = tpgid); null when /proc cannot tell.
 * `hot &` still has the terminal as stdin, but raw mode from the background would stop it (SIGTTOU).
 */
export function isTerminalForegroundGroup(): boolean | null {
  const stat = readProcessStat('self');
  return stat === undefined ? null : stat.pgrp === stat.tpgid;
}

/** The entries of a /proc directory; none when it is gone or not ours to read. */
function readProcDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // Another user's process, one that just exited, or no /proc.
    return [];
  }
}

/** The files (absolute paths; not sockets, pipes or anon inodes) process `pid` has open, by fd; none when /proc cannot tell. */
export function listOpenFiles(pid: number): Array<{ fd: string; path: string }> {
  const files: Array<{ fd: string; path: string }> = [];
  for (const fd of readProcDir(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (link.startsWith('/')) files.push({ fd, path: link });
    } catch {
      // The fd closed between the listing and the read.
    }
  }
  return files;
}

/** O_WRONLY | O_RDWR in the octal `flags:` of /proc/<pid>/fdinfo/<fd>. */
const WRITE_ACCESS = 0o3;

/** True when fd `fd` of process `pid` is still `file`, opened for writing; false when gone or /proc cannot tell. */
export function isFdOpenForWriting(pid: number, fd: string, file: string): boolean {
  try {
    if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== file) return false;
    const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags !== undefined && (Number.parseInt(flags, 8) & WRITE_ACCESS) !== 0;
  } catch {
    // The fd closed (or the process exited) since it was listed.
    return false;
  }
}

/**
 * Which process listens on a TCP port: the LISTEN socket's inode from /proc/net/tcp(6), then the
 * process holding that inode among its fds. Null when it cannot tell (other OS, no access).
 */
export function findListeningProcess(port: number): { pid: number; command: string } | null {
  const holder = listeningProcesses(port)[0];
  return holder ? { pid: holder.pid, command: readCommandLine(holder.pid) } : null;
}

/** Every process that holds a socket listening on `port` (hot holds the app's sockets too): pid and working directory. */
export function listeningProcesses(port: number): Array<{ pid: number; cwd: string | null; argv: string[] }> {
  const inodes = new Set((listeningSockets(port) ?? []).map((socket) => socket.inode));
  if (inodes.size === 0) return [];
  const holders: Array<{ pid: number; cwd: string | null; argv: string[] }> = [];
  for (const pid of listProcessIds() ?? []) {
    if (!(socketInodesOf(pid) ?? []).some((inode) => inodes.has(inode))) continue;
    let cwd: string | null = null;
    let argv: string[] = [];
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      // Another user's, or gone meanwhile.
    }
    holders.push({ pid, cwd, argv });
  }
  return holders;
}

/** A listening TCP socket: its inode, and the local address it is bound to (`127.0.0.1`, `::1`, `0.0.0.0`, `::`). */
export interface ListeningSocket {
  inode: string;
  address: string;
}

/** The sockets listening on `port` (null: on any port), from /proc/net/tcp and tcp6; null when neither table is readable (not Linux). */
export function listeningSockets(port: number | null): ListeningSocket[] | null {
  if (!IS_LINUX) return null;
  let readable = false;
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      // No IPv6 table on this kernel, or no /proc.
      continue;
    }
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, hexPort] = (fields[1] ?? '').split(':');
      if (!address || !hexPort || fields[3] !== '0A' || !fields[9]) continue; // 0A = LISTEN
      if (port === null || Number.parseInt(hexPort, 16) === port) sockets.push({ inode: fields[9], address: parseProcNetAddress(address) });
    }
  }
  return readable ? sockets : null;
}

/**
 * An address as /proc/net/tcp(6) writes it: 32-bit words in hex, each in the host's byte order.
 * IPv4-mapped IPv6 addresses come back as IPv4 (`::ffff:127.0.0.1` is `127.0.0.1`).
 */
export function parseProcNetAddress(hex: string, littleEndian = endianness() === 'LE'): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = (hex.slice(word, word + 8).match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
    bytes.push(...(littleEndian ? wordBytes.reverse() : wordBytes));
  }
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (bytes.length === 4 || mapped) return bytes.slice(-4).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The URL parser writes an IPv6 address the one canonical way (RFC 5952: `::1`, `fe80::1`).
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** The inodes of the sockets process `pid` holds; empty when it is gone, null when its fds are not ours to read (another user). */
export function socketInodesOf(pid: number): string[] | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    // Gone (ENOENT) is nothing held; EACCES is "cannot tell".
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? null : [];
  }
  const inodes: string[] = [];
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.push(inode);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

/**
 * The first 80 characters of a process's command line, for a message: control characters are shown
 * as `\xHH`, as ui/format's `printable` does (this layer may not import it). Empty when it is gone.
 */
export function readCommandLine(pid: number): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 80);
    return words.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  } catch {
    // Exited meanwhile.
    return '';
  }
}

/** fs.inotify.max_user_watches; null when it is not readable (not Linux?). */
export function readInotifyWatchLimit(): number | null {
  try {
    const value = Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
    return Number.isFinite(value) ? value : null;
  } catch {
    // Not Linux, or /proc is not readable.
    return null;
  }
}

/** Every inotify watch of every process this user can see (one `inotify wd:` line each in fdinfo). */
export function countInotifyWatchesInUse(): number {
  let total = 0;
  for (const pid of readProcDir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    for (const fd of readProcDir(`/proc/${pid}/fdinfo`)) {
      try {
        const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        if (info.includes('inotify wd:')) total += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
      } catch {
        // The fd closed meanwhile, or belongs to another user.
      }
    }
  }
  return total;
}

/** The resident memory of a process in bytes (VmRSS), or null when /proc cannot tell. */
export function readResidentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    // Gone, or no /proc.
    return null;
  }
}
