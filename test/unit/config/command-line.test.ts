import { describe, expect, it } from 'vitest';
import { commandLineProblem, describeCommand, parseCommandLine, nodeProgramIndex, withArguments } from '../../../src/config/command-line.js';
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

  it('runs a command of several lines as a script, keeping its line breaks', () => {
    expect(parseCommandLine('rm -rf dist\nmkdir dist\n')).toEqual({ kind: 'shell', line: 'rm -rf dist\nmkdir dist' });
    expect(parseCommandLine('rm -rf dist\r\nmkdir dist\r\n')).toEqual({ kind: 'shell', line: 'rm -rf dist\nmkdir dist' });
  });

  it('never throws: what shell-quote cannot read is left to the shell', () => {
    // The scanner stops at a here-document, so this reaches shell-quote, which throws "Bad substitution".
    expect(parseCommandLine('cat <<EOF ${')).toEqual({ kind: 'shell', line: 'cat <<EOF ${' });
  });
});

describe('commandLineProblem', () => {
  it.each([
    ['echo "abc', 'the double quote at column 6 is never closed'],
    ["echo 'abc", 'the single quote at column 6 is never closed'],
    ['echo ${', 'the "${" at column 6 is never closed'],
    ['echo ${HOME', 'the "${" at column 6 is never closed'],
    ['echo $(date', 'the "$(" at column 6 is never closed'],
    ['echo `date', 'the backquote at column 6 is never closed'],
    ['mkdir dist\necho "it\nworks', 'the double quote at line 2, column 6 is never closed'],
    [`echo "$(echo 'a')`, 'the double quote at column 6 is never closed'],
  ])('finds what %j leaves open', (line, problem) => {
    expect(commandLineProblem(line)).toBe(`whose quotes and substitutions are closed (${problem})`);
  });

  it.each([
    `node "my file.js" --name='a b'`,
    `echo "it's" \\" 'a"b'`,
    'echo "$(printf \'%s\' "x")" ${A:-"b"} `date` $((1 + 2))',
    "# don't forget\nrm -rf dist # it's fine\nmkdir dist",
    "echo a#'b' $#",
    'case x in a) echo a;; esac',
    "cat <<EOF\nit's text\nEOF",
  ])('accepts %j', (line) => {
    expect(commandLineProblem(line)).toBeNull();
  });

  it('rejects a NUL character', () => {
    expect(commandLineProblem('echo a\0b')).toMatch(/^without NUL characters/);
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

  it('shows a script on one line', () => {
    expect(describeCommand({ kind: 'shell', line: 'rm -rf dist\n  mkdir dist' })).toBe('rm -rf dist ⏎ mkdir dist');
  });
});

describe('nodeProgramIndex', () => {
  const argv = (...words: string[]) => ({ kind: 'argv' as const, argv: words });

  it('finds the program file after node options, values included', () => {
    expect(nodeProgramIndex(argv('node', 'server.js'))).toBe(1);
    expect(nodeProgramIndex(argv('node', '--enable-source-maps', '-r', 'dotenv/config', '--import', 'tsx', 'dist/server.js', '--port', '3'))).toBe(6);
    expect(nodeProgramIndex(argv(process.execPath, '--env-file=.env', '--', 'server.js'))).toBe(3);
  });

  it('says null where no standby can wait before a program file', () => {
    expect(nodeProgramIndex(argv('node', '-e', 'console.log(1)'))).toBeNull();
    expect(nodeProgramIndex(argv('node', '--inspect', 'server.js'))).toBeNull();
    expect(nodeProgramIndex(argv('node', '--inspect-brk=9230', 'server.js'))).toBeNull();
    expect(nodeProgramIndex(argv('node', '--watch', 'server.js'))).toBeNull();
    expect(nodeProgramIndex(argv('node'))).toBeNull();
    expect(nodeProgramIndex(argv('tsx', 'server.ts'))).toBeNull();
    expect(nodeProgramIndex({ kind: 'shell', line: 'node server.js' })).toBeNull();
  });
});
