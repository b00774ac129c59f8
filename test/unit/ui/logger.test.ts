import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, REPEAT_BURST_MS, shouldUseColor, type LoggerOptions, type LogLevel } from '../../../src/ui/logger.js';

function collect(level: LogLevel, options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  let clock = 0;
  const logger = createLogger({ level, color: false, write: (text) => chunks.push(text), now: () => clock, ...options });
  return {
    logger,
    output: () => chunks.join(''),
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('createLogger', () => {
  it.each([
    ['error', ['e']],
    ['warn', ['e', 'w']],
    ['info', ['e', 'w', 'i', 's']],
    ['debug', ['e', 'w', 'i', 's', 'd']],
  ] as const)('at level %s prints only %j', (level, shown) => {
    const { logger, output } = collect(level);
    logger.error('e');
    logger.warn('w');
    logger.info('i');
    logger.success('s');
    logger.debug('d');
    expect(output()).toBe(shown.map((m) => `[hot] ${m}\n`).join(''));
    expect(logger.level).toBe(level);
    expect(logger.isEnabled('debug')).toBe(level === 'debug');
  });

  it('prefixes every line of a message and adds a hint line', () => {
    const { logger, output } = collect('info');
    logger.error('build failed\nsee above', { hint: 'fix the error and save' });
    expect(output()).toBe('[hot] build failed\n[hot] see above\n[hot] hint: fix the error and save\n');
  });

  it('uses a custom prefix', () => {
    const { logger, output } = collect('info', { prefix: '[dev]' });
    logger.info('ready');
    expect(output()).toBe('[dev] ready\n');
  });

  it('collapses identical lines and says how many were skipped', () => {
    const { logger, output } = collect('info');
    logger.warn('crashed');
    logger.warn('crashed');
    logger.warn('crashed');
    logger.info('restarted');
    expect(output()).toBe('[hot] crashed\n[hot] (previous line repeated 2 more times)\n[hot] restarted\n');
  });

  it('uses the singular for a single repeat', () => {
    const { logger, output } = collect('info');
    logger.info('x');
    logger.info('x');
    logger.info('y');
    expect(output()).toBe('[hot] x\n[hot] (previous line repeated 1 more time)\n[hot] y\n');
  });

  it('prints a repeat that comes a second or more later: another event, not a burst', () => {
    const { logger, output, advance } = collect('info');
    logger.info('x');
    advance(REPEAT_BURST_MS);
    logger.info('x');
    expect(output()).toBe('[hot] x\n[hot] x\n');
  });

  it('shows both of two identical events 2 s apart (a second clean exit is news)', () => {
    const { logger, output, advance } = collect('info');
    logger.info('app exited cleanly, waiting for changes');
    advance(2_000);
    logger.info('app exited cleanly, waiting for changes');
    expect(output()).toBe('[hot] app exited cleanly, waiting for changes\n[hot] app exited cleanly, waiting for changes\n');
  });

  it('keeps counting a burst as long as each copy follows the last within the window', () => {
    const { logger, output, advance } = collect('info');
    for (let i = 0; i < 5; i++) {
      logger.warn('watcher error, retrying');
      advance(REPEAT_BURST_MS - 100);
    }
    logger.info('watching');
    expect(output()).toBe('[hot] watcher error, retrying\n[hot] (previous line repeated 4 more times)\n[hot] watching\n');
  });

  it('prints the count of a burst before the same line comes again later', () => {
    const { logger, output, advance } = collect('info');
    logger.error('crashed');
    advance(100);
    logger.error('crashed');
    advance(5_000);
    logger.error('crashed');
    expect(output()).toBe('[hot] crashed\n[hot] (previous line repeated 1 more time)\n[hot] crashed\n');
  });

  it('treats a different hint as a different line', () => {
    const { logger, output } = collect('info');
    logger.error('failed', { hint: 'a' });
    logger.error('failed', { hint: 'b' });
    expect(output()).toBe('[hot] failed\n[hot] hint: a\n[hot] failed\n[hot] hint: b\n');
  });

  it('indents a block, trims its trailing blank lines and respects its level', () => {
    const { logger, output } = collect('warn');
    logger.block('src/a.ts:1:1 error\n  more\n\n');
    logger.block('debug detail', 'debug');
    logger.block('   ');
    expect(output()).toBe('  src/a.ts:1:1 error\n    more\n');
  });

  it('flushes the repeat note before a block and prints the line again after it', () => {
    const { logger, output } = collect('info');
    logger.error('build failed');
    logger.error('build failed');
    logger.block('diagnostics');
    logger.error('build failed');
    expect(output()).toBe('[hot] build failed\n[hot] (previous line repeated 1 more time)\n  diagnostics\n[hot] build failed\n');
  });

  describe('when nothing follows a burst', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('prints its count once the burst has been quiet for the window', () => {
      vi.useFakeTimers();
      const { logger, output } = collect('info');
      logger.info('x');
      logger.info('x');
      logger.info('x');
      expect(output()).toBe('[hot] x\n');
      vi.advanceTimersByTime(REPEAT_BURST_MS);
      expect(output()).toBe('[hot] x\n[hot] (previous line repeated 2 more times)\n');
      logger.info('x');
      expect(output()).toBe('[hot] x\n[hot] (previous line repeated 2 more times)\n[hot] x\n');
    });
  });

  it('adds ANSI colours only when asked, around the same text', () => {
    const { logger, output } = collect('info', { color: true });
    logger.error('boom', { hint: 'h' });
    expect(output()).not.toBe('[hot] boom\n[hot] hint: h\n');
    expect(stripVTControlCharacters(output())).toBe('[hot] boom\n[hot] hint: h\n');
  });
});

describe('shouldUseColor', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [undefined, {}, false],
    [true, { TERM: 'dumb' }, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
  ])('isTTY %s with %j -> %s', (isTTY, env, expected) => {
    expect(shouldUseColor(isTTY === undefined ? {} : { isTTY }, env)).toBe(expected);
  });
});

describe('names from outside', () => {
  it('never writes a control character of a message or hint to the terminal', () => {
    const written: string[] = [];
    const logger = createLogger({ level: 'info', write: (text) => written.push(text) });
    logger.warn('package \u001b]0;pwned\u0007 is stopped', { hint: 'rename \u009b31m it' });
    expect(written.join('')).toBe('[hot] package \\x1b]0;pwned\\x07 is stopped\n[hot] hint: rename \\x9b31m it\n');
  });
});
