import { isTerminalForegroundGroup } from '../platform/proc.js';
import type { Logger } from '../ui/logger.js';
import { canClearScreen, CLEAR_SCREEN, startShortcuts } from '../ui/shortcuts.js';

/** What the keys act on: a single app or a whole workspace. */
export interface ShortcutTarget {
  restart(reason: string): Promise<void>;
  build(reason: string): Promise<void>;
  pause(): void;
  resume(): void;
  /** `q`: a deliberate stop, through the same kill path as Ctrl-C. */
  quit(): void;
  /** Called each time a program exits: it may have put the terminal back in line mode. */
  onExitEvent(listener: () => void): void;
}

/** Shortcuts need a person at a terminal, and stdin not given to the program. */
export function wantsShortcuts(stdin: 'hot' | 'child', json: boolean): boolean {
  return process.stdin.isTTY === true && stdin === 'hot' && !json && isTerminalForeground();
}

/**
 * `hot &` still has the terminal as stdin, but raw mode from the background would stop it (SIGTTOU):
 * shortcuts only when hot's process group owns the terminal. Unknown (not Linux): assume it does.
 */
function isTerminalForeground(): boolean {
  return isTerminalForegroundGroup() ?? true;
}

export function listenForShortcuts(target: ShortcutTarget, logger: Logger): void {
  let paused = false;
  logger.info('press h for shortcuts');
  const shortcuts = startShortcuts(process.stdin, {
    restart: () => void target.restart('restart requested'),
    rebuild: () => void target.build('rebuild requested'),
    clear: () => {
      if (canClearScreen()) process.stdout.write(CLEAR_SCREEN);
    },
    togglePause: () => {
      paused = !paused;
      if (paused) target.pause();
      else target.resume();
      return paused;
    },
    quit: () => target.quit(),
    say: (line) => logger.info(line),
  });
  target.onExitEvent(() => shortcuts.reassert());
}
