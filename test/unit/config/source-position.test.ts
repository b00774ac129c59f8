import { describe, expect, it } from 'vitest';
import { codeFrame, findKeyLine } from '../../../src/config/source-position.js';

const SOURCE = `# delay = 1 is only a comment
include = ["src/**"] # bin = "no"
delay = 100

[run]
kill_timeout = 500
env = { PORT = "3000", DEBUG = "1" }

[restart.backoff]
initial = 10
"max" = 20

[build]
cmd = "echo '#' # not a key"
entry = "src/a.ts"
`;

describe('findKeyLine', () => {
  it.each([
    ['include', 2],
    ['delay', 3],
    ['run', 5],
    ['run.kill_timeout', 6],
    ['run.env', 7],
    ['run.env.DEBUG', 7],
    ['restart.backoff', 9],
    ['restart.backoff.initial', 10],
    ['restart.backoff.max', 11],
    ['build.cmd', 14],
    ['build.entry', 15],
  ])('finds %s on line %i', (key, line) => {
    expect(findKeyLine(SOURCE, key)).toBe(line);
  });

  it('falls back to the closest enclosing table', () => {
    expect(findKeyLine(SOURCE, 'run.kill_signal')).toBe(5);
  });

  it('ignores keys inside comments and returns undefined for an absent key', () => {
    expect(findKeyLine(SOURCE, 'bin')).toBeUndefined();
    expect(findKeyLine('# delay = 1\n', 'delay')).toBeUndefined();
  });

  it('reads dotted keys outside their table and CRLF line ends', () => {
    expect(findKeyLine('delay = 1\r\nrun.kill_signal = "SIGINT"\r\n', 'run.kill_signal')).toBe(2);
    expect(findKeyLine('run . kill_signal = "SIGINT"', 'run.kill_signal')).toBe(1);
  });
});

describe('codeFrame', () => {
  const text = ['a = 1', 'b = 2', 'c = 3', 'd = 4', 'e = 5'].join('\n');

  it('shows two lines before and one after, marking the line and column', () => {
    expect(codeFrame(text, 3, 5)).toBe(['  1 | a = 1', '  2 | b = 2', '> 3 | c = 3', '    |     ^', '  4 | d = 4'].join('\n'));
  });

  it('clips at the file edges and omits the caret without a column', () => {
    expect(codeFrame(text, 1)).toBe(['> 1 | a = 1', '  2 | b = 2'].join('\n'));
    expect(codeFrame(text, 5)).toBe(['  3 | c = 3', '  4 | d = 4', '> 5 | e = 5'].join('\n'));
  });

  it('pads line numbers to the widest one shown', () => {
    const long = Array.from({ length: 10 }, (_, i) => `k${i + 1} = 0`).join('\n');
    expect(codeFrame(long, 9).split('\n')).toEqual(['   7 | k7 = 0', '   8 | k8 = 0', '>  9 | k9 = 0', '  10 | k10 = 0']);
  });
});

describe('findKeyLine with keys written deeper than asked', () => {
  it('finds a table key written only as part of a longer dotted key', () => {
    expect(findKeyLine('restart.backoff.initial = 9000\nrestart.backoff.max = 100\n', 'restart.backoff')).toBe(1);
    expect(findKeyLine('[restart]\nbackoff.initial = 9000\nbackoff.max = 100\n', 'restart.backoff')).toBe(2);
    expect(findKeyLine('bin = "x"\nrun.env.PORT = [1]\n', 'run.env')).toBe(2);
  });
});
