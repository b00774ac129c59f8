/**
 * Finds where a key sits in a TOML source, so a validation message can name the line. smol-toml
 * returns plain values without positions; a line scan that understands [table] headers, dotted keys
 * and inline tables is enough for the small files hot reads.
 */
export function findKeyLine(source: string, dottedKey: string): number | undefined {
  const wanted = dottedKey.split('.');
  const lines = source.split(/\r?\n/);
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const text = stripComment(lines[index]!).trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(text);
    if (header) {
      table = splitKey(header[1]!);
      consider(table, index);
      continue;
    }
    const assignment = /^((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(text);
    if (!assignment) continue;
    const key = [...table, ...splitKey(assignment[1]!)];
    consider(key, index);
    for (const inner of inlineKeys(assignment[2]!)) consider([...key, inner], index);
  }
  return best?.line;

  function consider(path: string[], index: number): void {
    // A line counts when its key is the wanted key, a table around it, or a key inside it.
    const depth = commonPrefix(path, wanted);
    if (depth === 0 || depth < Math.min(path.length, wanted.length)) return;
    if (!best || depth > best.depth) best = { line: index + 1, depth };
  }
}

/** Lines around `line` (1-based) with a caret under `column` (1-based), like a compiler's code frame. */
export function codeFrame(source: string, line: number, column?: number): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '>' : ' ';
    out.push(`${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === line && column !== undefined && column > 0) {
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
    }
  }
  return out.join('\n');
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

function splitKey(key: string): string[] {
  return key.split('.').map((part) => part.trim().replace(/^["']|["']$/g, ''));
}

function inlineKeys(value: string): string[] {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return [];
  return [...trimmed.matchAll(/[{,]\s*([A-Za-z0-9_-]+)\s*=/g)].map((m) => m[1]!);
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
