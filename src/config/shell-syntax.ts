/**
 * Finds a quote or substitution a command line opens and never closes (`echo "abc`, `echo ${`), so
 * the config can reject it instead of guessing: shell-quote accepts an unterminated quote as if it
 * were closed at the end and throws on an unclosed `${`.
 *
 * A small scanner of POSIX sh quoting, not a parser: quotes, backslashes, comments, `$( )`, `${ }`
 * and backquotes. A here-document (`<<`) ends the check, since its body is text, not syntax.
 */
type Open = { kind: '"' | '`' | '$(' | '${' | '('; at: number };

const NAMES: Record<Open['kind'], string> = {
  '"': 'the double quote',
  '`': 'the backquote',
  '$(': 'the "$("',
  '${': 'the "${"',
  '(': 'the "("',
};

/** Where a word may start: a `#` there begins a comment. */
const WORD_BOUNDARY = /[\s;&|()<>]/;

/** A description of the first construct left open (`the double quote at line 1, column 6`), or null. */
export function findUnclosed(line: string): string | null {
  const stack: Open[] = [];
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    const top = stack.at(-1)?.kind;
    const quoted = top === '"';
    if (ch === '\\') i++;
    else if (top === '`' && ch === '`') stack.pop();
    else if (quoted && ch === '"') stack.pop();
    else if (ch === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) stack.push({ kind: line[i + 1] === '(' ? '$(' : '${', at: i++ });
    else if (ch === '`') stack.push({ kind: '`', at: i });
    else if (quoted) continue;
    else if (ch === '"') stack.push({ kind: '"', at: i });
    else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return `the single quote at ${position(line, i)}`;
      i = end;
    } else if (ch === '}' && top === '${') stack.pop();
    else if (ch === '(') stack.push({ kind: '(', at: i });
    else if (ch === ')' && (top === '(' || top === '$(')) stack.pop();
    else if (ch === '#' && (i === 0 || WORD_BOUNDARY.test(line[i - 1]!))) i = endOfLine(line, i);
    else if (ch === '<' && line[i + 1] === '<') return null;
  }
  // A lone "(" or ")" is left to the shell: `case` patterns close with an unmatched ")".
  const open = stack.find((entry) => entry.kind !== '(');
  return open ? `${NAMES[open.kind]} at ${position(line, open.at)}` : null;
}

function endOfLine(line: string, from: number): number {
  const end = line.indexOf('\n', from);
  return end === -1 ? line.length : end;
}

/** `column 6`, or `line 2, column 3` for a multi-line command (1-based, within the command). */
function position(line: string, index: number): string {
  const before = line.slice(0, index);
  const lineNumber = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return lineNumber === 1 ? `column ${column}` : `line ${lineNumber}, column ${column}`;
}
