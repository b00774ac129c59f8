import { describe, expect, it } from 'vitest';
import { describeCommand, parseCommandLine, withArguments } from '../../../src/config/command-line.js';
import type { Command } from '../../../src/config/schema.js';

describe('parseCommandLine', () => {
  it.each([
    ['node dist/server.js', ['node', 'dist/server.js']],
    ['  node   server.js  ', ['node', 'server.js']],
    ['node "my file.js" --name=\'a b\'', ['node', 'my file.js', '--name=a b']],
    ['node --inspect=9229 a.js', ['node', '--inspect=9229', 'a.js']],
  ])('splits %j into arguments', (line, argv) => {
    expect(parseCommandLine(line)).toEqual({ kind: 'argv', argv });
  });

  it.each([
    'tsc -p . && node dist/a.js',
    'node $ENTRY',
    'FOO=1 node x.js',
    'node src/*.js',
    'node a.js | tee log',
    'node a.js > out.log',
    'cd app; node a.js',
    'echo ~/x',
  ])('leaves %j to the shell', (line) => {
    expect(parseCommandLine(line)).toEqual({ kind: 'shell', line });
  });

  it('trims a shell line', () => {
    expect(parseCommandLine('  a && b \n')).toEqual({ kind: 'shell', line: 'a && b' });
  });
});

describe('withArguments', () => {
  it('returns the same command without arguments', () => {
    const command: Command = { kind: 'argv', argv: ['node'] };
    expect(withArguments(command, [])).toBe(command);
  });

  it('appends to an argv command as separate arguments', () => {
    expect(withArguments({ kind: 'argv', argv: ['node', 'a.js'] }, ['--port', '3 000'])).toEqual({ kind: 'argv', argv: ['node', 'a.js', '--port', '3 000'] });
  });

  it('quotes arguments appended to a shell line so they are never interpolated', () => {
    expect(withArguments({ kind: 'shell', line: 'tsc && node a.js' }, ['a b', '$HOME', 'plain'])).toEqual({
      kind: 'shell',
      line: "tsc && node a.js 'a b' \\$HOME plain",
    });
  });
});

describe('describeCommand', () => {
  it('shows a shell line as written and an argv quoted', () => {
    expect(describeCommand({ kind: 'shell', line: 'a && b' })).toBe('a && b');
    expect(describeCommand({ kind: 'argv', argv: ['node', 'my file.js', "it's"] })).toBe(`node 'my file.js' "it's"`);
  });
});
