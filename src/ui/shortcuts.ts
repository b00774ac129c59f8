/**
 * Vite-style keyboard shortcuts on a terminal: one key each, no Enter needed. The terminal is put in
 * raw mode while they are on, and always put back, whatever way hot exits.
 */
export interface ShortcutActions {
  restart(): void;
  rebuild(): void;
  clear(): void;
  /** Returns whether watching is paused now. */
  togglePause(): boolean;
  quit(): void;
  /** Where the help and the answers to keys go (hot's log). */
  say(line: string): void;
}

export interface ShortcutInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export const SHORTCUT_HELP = [
  'shortcuts: r or Enter restart · b rebuild (restart if the output changed) · c clear the screen',
  '           p pause/resume watching · q quit · h show this',
];

export interface Shortcuts {
  /**
   * Puts the terminal back in raw mode: a Node program restores the terminal mode it found when it
   * exits, which can be the line mode of before hot's shortcuts started.
   */
  reassert(): void;
  stop(): void;
}

/** Starts reading keys, in raw mode until stop() (or hot's exit). */
export function startShortcuts(input: ShortcutInput, actions: ShortcutActions): Shortcuts {
  input.setRawMode?.(true);
  input.resume();
  const onData = (chunk: Buffer | string): void => {
    const text = chunk.toString();
    // Several characters at once are a paste, not keys pressed: a pasted "q" must not quit.
    if (text.length > 1 && text !== '\r\n') return;
    handleKey(text[0] ?? '', actions);
  };
  input.on('data', onData);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    input.off('data', onData);
    input.setRawMode?.(false);
    input.pause();
  };
  process.once('exit', stop);
  return {
    reassert() {
      if (!stopped) input.setRawMode?.(true);
    },
    stop,
  };
}

function handleKey(key: string, actions: ShortcutActions): void {
  switch (key) {
    case 'r':
    case '\r':
    case '\n':
      actions.restart();
      return;
    case 'b':
      actions.rebuild();
      return;
    case 'c':
      actions.clear();
      return;
    case 'p':
      actions.say(actions.togglePause() ? 'paused: changes are noted, nothing restarts until you press p again' : 'resumed watching');
      return;
    case 'q':
      actions.quit();
      return;
    // Raw mode turns Ctrl-C into a key: it still means what it means.
    case '\u0003':
      process.kill(process.pid, 'SIGINT');
      return;
    case 'h':
    case '?':
      for (const line of SHORTCUT_HELP) actions.say(line);
      return;
    default:
      return;
  }
}

/** Clears the screen and its scrollback, like `clear`. */
export const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

/** Clearing is for a person at a terminal: never in CI, never into a pipe. */
export function canClearScreen(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.CI;
}
