import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';

/**
 * Looks at the file system that a watcher's events are about, where a path may be gone by the
 * time it is looked at: each answers null (or nothing) for a path that is not there any more.
 */
export function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    // Gone between the event and this look: its removal is an event of its own.
    return null;
  }
}

export function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    // Gone.
    return null;
  }
}

export function realpathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    // Gone since it was listed, or a dangling link.
    return null;
  }
}

/** The names in a directory; none when it is gone or cannot be read. */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // Gone or unreadable: nothing in it to look at.
    return [];
  }
}
