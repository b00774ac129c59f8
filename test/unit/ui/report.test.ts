import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotEvent } from '../../../src/events.js';
import { createLogger } from '../../../src/ui/logger.js';
import { createReport, describeWorkspaceWatching, formatTypeErrors } from '../../../src/ui/report.js';

const CWD = path.resolve('/proj');
/** Sets the terminal's title, then writes the clipboard (OSC 0 and OSC 52), each ended by BEL. */
const EVIL = 'x\u001b]0;owned\u0007\u001b]52;c;ZXZpbA==\u0007';
const SHOWN = 'x\\x1b]0;owned\\x07\\x1b]52;c;ZXZpbA==\\x07';

function render(event: HotEvent): string {
  const chunks: string[] = [];
  const logger = createLogger({ level: 'debug', color: false, write: (text) => chunks.push(text) });
  createReport(logger, CWD)(event);
  return chunks.join('');
}

describe('report: names reach the terminal without control characters', () => {
  it.each<[string, HotEvent]>([
    ['a written file', { type: 'written-by-program', path: path.join(CWD, `${EVIL}.log`) }],
    ['an env file', { type: 'env-file-problem', file: path.join(CWD, EVIL), reason: `ENOENT ${EVIL}` }],
    ['a hook command and its failure', { type: 'hook-failed', hook: 'on_crash', command: `notify ${EVIL}`, failure: `could not start: ${EVIL}` }],
    ['a watched root and build', { type: 'watching', files: 1, polling: false, root: path.join(CWD, EVIL), build: `esbuild ${EVIL}` }],
    ['a skipped restart', { type: 'restart-skipped', reason: 'program-loop', paths: [path.join(CWD, EVIL)] }],
    ['a spawn failure and its hint', { type: 'start-failed', reason: `cannot start ${EVIL}`, cause: 'spawn', pid: 0, oldServing: false, hint: `chmod +x ${EVIL}` }],
  ])('%s', (_what, event) => {
    const text = render(event);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain(SHOWN);
  });

  it('package names in the workspace line', () => {
    expect(describeWorkspaceWatching([EVIL, 'api'], 3, false)).toBe(`watching 2 packages: ${SHOWN}, api (3 files)`);
  });
});

describe('report: reasons built from names', () => {
  it('a ready line whose reason names a package', () => {
    const text = render({ type: 'ready', pid: 1, readyMs: 5, buildMs: null, reason: `restarting: ${EVIL} changed` });
    expect(text).toContain(`restarting: ${SHOWN} changed`);
  });
});

describe('report: a clean exit', () => {
  it('waits for changes, and names the entry that listens when the config carries one', () => {
    expect(render({ type: 'clean-exit', pid: 1 })).toBe('[hot] app exited cleanly, waiting for changes\n');
    const text = render({ type: 'clean-exit', pid: 1, hint: 'src/index.ts never calls listen(); src/server.ts does: run `hot src/server.ts`' });
    expect(text).toContain('app exited cleanly, waiting for changes');
    expect(text).toContain('hint: src/index.ts never calls listen(); src/server.ts does: run `hot src/server.ts`');
  });
});

describe('report: type errors', () => {
  const errors = [
    { file: path.join(CWD, 'src/a.ts'), line: 13, column: 28, code: 'TS2322', message: "Type 'number' is not assignable to type 'string'." },
    { file: path.join(CWD, 'src/b.ts'), line: 1, column: 24, code: 'TS7016', message: "Could not find a declaration file for module 'x'.\nTry `npm i --save-dev @types/x`" },
    { file: null, line: 0, column: 0, code: 'TS5083', message: 'Cannot read file tsconfig.json.' },
  ];

  it('prints one compact block with file:line:col relative to the cwd', () => {
    expect(render({ type: 'types-failed', errors, blocking: false }).split('\n')).toEqual([
      '[hot] 3 type errors in 3 files (tsc), the app runs regardless:',
      "  src/a.ts:13:28 - error TS2322: Type 'number' is not assignable to type 'string'.",
      "  src/b.ts:1:24 - error TS7016: Could not find a declaration file for module 'x'.",
      '      Try `npm i --save-dev @types/x`',
      '  error TS5083: Cannot read file tsconfig.json.',
      '',
    ]);
  });

  it('does not say the app runs regardless while the last build failed on its own errors', () => {
    const lines: string[] = [];
    const report = createReport(createLogger({ level: 'info', color: false, write: (text) => lines.push(text) }), CWD);
    const syntax = [{ ...errors[0]!, code: 'TS1109', message: 'Expression expected.' }];
    report({ type: 'build-failed', durationMs: 5, diagnostics: 'src/a.ts:13:28: ERROR: Unexpected ";"', previous: 'kept' });
    report({ type: 'types-failed', errors: syntax, blocking: false });
    report({ type: 'build-ok', durationMs: 5, outputChanged: true });
    report({ type: 'types-failed', errors, blocking: false });
    const heads = lines.join('').split('\n').filter((line) => line.includes('(tsc)'));
    expect(heads).toEqual(['[hot] 1 type error in 1 file (tsc):', '[hot] 3 type errors in 3 files (tsc), the app runs regardless:']);
  });

  it('says when they are fixed, and a failed build held by them in one line', () => {
    expect(render({ type: 'types-ok', fixed: 2 })).toBe('[hot] types ok: all 2 type errors are fixed\n');
    expect(render({ type: 'build-failed', durationMs: 300, diagnostics: 'src/a.ts:1:1 - error TS1: x', previous: 'kept', cause: 'types' })).toBe(
      '[hot] type errors (above) hold the restart (in 300 ms), keeping the previous process running\n',
    );
  });

  it('lists at most 20 and counts the rest', () => {
    const many = Array.from({ length: 23 }, (_, index) => ({ ...errors[0]!, line: index + 1 }));
    expect(formatTypeErrors(many, CWD).split('\n').at(-1)).toBe('… and 3 more');
  });
});

describe('report: held sockets', () => {
  it('says what hot holds, in one line', () => {
    expect(render({ type: 'holding', addresses: [':3000'] })).toBe('[hot] holding :3000 for the app: restarts hand it to the new version without refusing a connection\n');
    expect(render({ type: 'holding', addresses: [':3000', '127.0.0.1:3443'] })).toContain('holding :3000, 127.0.0.1:3443 for the app: restarts hand them to');
  });

  it('names the process that has a port the app wants', () => {
    const text = render({ type: 'port-taken', port: 3000, owner: { pid: 42, command: 'node other.js' } });
    expect(text).toContain('the app cannot listen on port 3000: it is already in use by pid 42 (node other.js)');
    expect(text).toContain('hint: stop that process, or have the app listen on another port');
    expect(render({ type: 'port-taken', port: 3000, owner: null })).toContain('it is already in use by another process');
  });

  it('says when the port is one hot holds for the app at another address', () => {
    const text = render({ type: 'port-taken', port: 3000, owner: null, heldAs: ':3000' });
    expect(text).toContain('the app cannot listen on port 3000 at another address: hot holds :3000 for it since its first listen');
    expect(text).toContain('hint: stop hot and start it again to listen at another address');
  });
});

describe('report: a start in place is ready when the program listens', () => {
  function session(): { send: (event: HotEvent) => void; lines: () => string[] } {
    const chunks: string[] = [];
    const logger = createLogger({ level: 'info', color: false, write: (text) => chunks.push(text) });
    const report = createReport(logger, CWD);
    return { send: report, lines: () => chunks.join('').split('\n').filter(Boolean) };
  }
  const started: HotEvent = { type: 'ready', pid: 7, readyMs: 20, buildMs: 5, reason: 'started src/server.ts', listenPending: true };
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(() => setImmediate(resolve))));

  it('says it started at once, with no ready time, and the ready time on the line of what hot holds', async () => {
    const { send, lines } = session();
    send(started);
    expect(lines()).toEqual(['[hot] started src/server.ts (built in 5 ms, pid 7)']);
    send({ type: 'listening', pid: 7, readyMs: 290 });
    send({ type: 'holding', addresses: [':3000'] });
    await nextTurn();
    expect(lines()).toEqual([
      '[hot] started src/server.ts (built in 5 ms, pid 7)',
      '[hot] ready in 290 ms; holding :3000 for the app: restarts hand it to the new version without refusing a connection',
    ]);
  });

  it('a listen on a socket hot already holds gets a line of its own', async () => {
    const { send, lines } = session();
    send(started);
    send({ type: 'listening', pid: 7, readyMs: 2500 });
    await nextTurn();
    expect(lines()[1]).toBe('[hot] the app listens: ready in 2500 ms');
  });

  it('a start that is not awaited keeps its ready time', () => {
    const { send, lines } = session();
    send({ type: 'ready', pid: 8, readyMs: 17, buildMs: null, reason: 'restarting: a.ts changed' });
    expect(lines()).toEqual(['[hot] restarting: a.ts changed (ready in 17 ms, pid 8)']);
  });
});
