import { createColors } from 'picocolors';
import { printable } from './format.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LogExtras {
  /** A second line telling the user what to do. */
  hint?: string;
}

export interface Logger {
  readonly level: LogLevel;
  isEnabled(level: LogLevel): boolean;
  error(message: string, extras?: LogExtras): void;
  warn(message: string, extras?: LogExtras): void;
  info(message: string, extras?: LogExtras): void;
  /** An info line that reports something going right. */
  success(message: string, extras?: LogExtras): void;
  debug(message: string): void;
  /** Text from another tool (a compiler's errors), printed as it is, indented under hot's line. */
  block(text: string, level?: LogLevel): void;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where hot's own lines go; the program's output never passes through here. */
  write?: (text: string) => void;
  color?: boolean;
  prefix?: string;
  /** Written before the prefix on every line, as it is: a monorepo's coloured package name. */
  label?: string;
  /** Clock for telling a burst of repeats from repeated events; injectable for tests. */
  now?: () => number;
}

/**
 * A repeat of the previous line within this long of its last copy is part of a burst (a save storm,
 * a flapping watcher): it is counted instead of printed, and the count is printed when the burst
 * ends. Slower repeats are events the user must see (a second crash, a second clean exit): printed.
 */
export const REPEAT_BURST_MS = 1000;

/** Whether hot's stderr should be coloured: a TTY, and neither NO_COLOR nor FORCE_COLOR=0 set. */
export function shouldUseColor(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const colors = createColors(options.color ?? false);
  const prefix = options.prefix ?? '[hot]';
  const label = options.label ?? '';
  const now = options.now ?? Date.now;
  let last: { text: string; at: number; repeats: number } | undefined;
  // Prints a burst's count once it has been quiet for a while, even when no other line follows.
  let burstEnd: ReturnType<typeof setTimeout> | undefined;

  const isEnabled = (level: LogLevel): boolean => LEVEL_RANK[level] <= LEVEL_RANK[options.level];

  const paint = (level: LogLevel | 'success', text: string): string => paintLine(colors, level, text);

  const emit = (level: LogLevel, style: LogLevel | 'success', message: string, extras?: LogExtras): void => {
    if (!isEnabled(level)) return;
    const text = message + (extras?.hint ? `\n${extras.hint}` : '');
    const at = now();
    if (last && last.text === text && at - last.at < REPEAT_BURST_MS) {
      last.repeats++;
      last.at = at;
      clearTimeout(burstEnd);
      burstEnd = setTimeout(flushRepeats, REPEAT_BURST_MS);
      burstEnd.unref?.();
      return;
    }
    flushRepeats();
    last = { text, at, repeats: 0 };
    const tag = label + colors.dim(prefix);
    // hot's own lines never carry control characters: any that came in with a name are shown escaped.
    const lines = message.split('\n').map((line) => `${tag} ${paint(style, printable(line))}`);
    if (extras?.hint) lines.push(`${tag} ${colors.dim(`hint: ${printable(extras.hint)}`)}`);
    write(`${lines.join('\n')}\n`);
  };

  const flushRepeats = (): void => {
    clearTimeout(burstEnd);
    burstEnd = undefined;
    if (last && last.repeats > 0) {
      write(`${label}${colors.dim(prefix)} ${colors.dim(`(previous line repeated ${last.repeats} more time${last.repeats === 1 ? '' : 's'})`)}\n`);
    }
    last = undefined;
  };

  return {
    level: options.level,
    isEnabled,
    error: (message, extras) => emit('error', 'error', message, extras),
    warn: (message, extras) => emit('warn', 'warn', message, extras),
    info: (message, extras) => emit('info', 'info', message, extras),
    success: (message, extras) => emit('info', 'success', message, extras),
    debug: (message) => emit('debug', 'debug', message),
    block(text, level = 'error') {
      if (!isEnabled(level) || text.trim() === '') return;
      flushRepeats();
      const body = text.replace(/\s+$/, '').split('\n').map((line) => `${label}  ${line}`).join('\n');
      write(`${body}\n`);
    },
  };
}

function paintLine(colors: ReturnType<typeof createColors>, level: LogLevel | 'success', text: string): string {
  switch (level) {
    case 'error':
      return colors.red(text);
    case 'warn':
      return colors.yellow(text);
    case 'success':
      return colors.green(text);
    case 'debug':
      return colors.dim(text);
    case 'info':
      return text;
  }
}
