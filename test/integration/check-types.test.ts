import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HotEvent } from '../../src/events.js';
import type { HotProcess } from '../helpers/hot-process.js';
import { freePort, get } from '../helpers/http.js';
import { act, answer, exit, output, until, watching } from '../helpers/interact.js';
import { markedPids } from '../helpers/processes.js';
import { linkTypeScript, type TempProject } from '../helpers/project.js';
import { useSession } from '../helpers/session.js';

/**
 * tsc's first pass reads lib.d.ts and @types/node: seconds alone, but hot runs tsc at a lower
 * priority (niceness 10), so beside the other worker's busy processes on 2 cores it gets a fraction
 * of a core, and a pass can take ten times longer. The tests' deadlines leave room for that.
 */
const TSC = { timeoutMs: 120_000 };
const TSC_TEST = { timeout: 240_000 };
const TYPE_ERROR = "const version: number = 'v2'";
const FIXED = "const version: string = 'v2'";

/** fixtures/projects/typed-http with the project's own tsc (see linkTypeScript). */
function typedProject(project: TempProject): TempProject {
  linkTypeScript(project);
  return project;
}

/** .tsbuildinfo files in the project, outside node_modules. */
function buildInfoFiles(project: TempProject): string[] {
  return readdirSync(project.dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.tsbuildinfo') && !file.startsWith('node_modules'));
}

/** The tsc processes hot started: found by the test's marker in their environment, then by their command line. */
function tscPids(hot: HotProcess): number[] {
  return markedPids(hot.marker).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.endsWith(path.join('.bin', 'tsc')));
    } catch {
      return false;
    }
  });
}

describe('[check] types: tsc beside the restart', TSC_TEST, () => {
  const session = useSession();

  it('by default, serves the new code at once and prints its type errors as one block, then "types ok"', async () => {
    const project = typedProject(session.project('typed-http'));
    // An incremental project: tsc's .tsbuildinfo must not land in the tree hot watches.
    project.replace('tsconfig.json', '"strict": true,', '"strict": true,\n    "incremental": true,\n    "outDir": "dist",');
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), watching(), answer(port, /^hello v1 /));
    await hot.interact(until('tsc runs beside hot', () => tscPids(hot).length === 1, TSC));
    await hot.interact(
      act('introduce a type error that also changes the answer', () => project.replace('src/message.ts', "const version: string = 'v1'", TYPE_ERROR)),
      output(/restarting: src\/message\.ts changed/),
      answer(port, /^hello v2 /),
      output(/\[hot\] 1 type error in 1 file \(tsc\), the app runs regardless:\n {2}src\/message\.ts:2:9 - error TS2322: Type 'string' is not assignable to type 'number'\./, TSC),
    );
    await hot.interact(act('fix the type only', () => project.replace('src/message.ts', TYPE_ERROR, FIXED)), output(/\[hot\] types ok: the type error is fixed/, TSC));
    expect(hot.count(/type error in 1 file/)).toBe(1);
    expect(buildInfoFiles(project)).toEqual([]);
    await hot.interact(act('stop hot with SIGTERM', () => hot.signal('SIGTERM')), exit(), until('tsc is gone with hot', () => hot.liveProcesses() === 0));
  });

  it('after a syntax error, never says the app runs regardless: not at first, nor when a cleared screen shows the errors again', async () => {
    const project = typedProject(session.project('typed-http'));
    project.write('.hotrc.toml', 'clear = true\n[build]\nentry = "src/server.ts"\n');
    const port = await freePort();
    const hot = session.run(project, [], { tty: true, env: { CI: '', PORT: String(port) } });
    await hot.interact(output(/started src\/server\.ts/), watching(), answer(port, /^hello v1 /));
    await hot.interact(until('tsc runs beside hot', () => tscPids(hot).length === 1, TSC));
    const HEADING = /type errors? in 1 file \(tsc\)/g;
    await hot.interact(
      act('break the syntax', () => project.replace('src/message.ts', "const version: string = 'v1';", 'const version: string = ;')),
      output(/build failed in \d+ ms, keeping the previous process running/),
      output(HEADING, TSC),
      act('edit another file while it is broken: the screen is cleared', () => project.replace('src/server.ts', 'typed-http listening', 'typed-http up')),
      until('the errors are shown again after the clear', () => (hot.output().match(HEADING) ?? []).length === 2),
    );
    expect(hot.output()).not.toMatch(/runs regardless/);
    expect(await get(port)).toMatch(/^hello v1 /);
  });

  it('starts tsc once the app listens, not while it boots (tsc takes a core for seconds)', async () => {
    const project = typedProject(session.project('typed-http'));
    // An app that boots for a while: it says so halfway, then listens.
    project.replace(
      'src/server.ts',
      "server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1',",
      "setTimeout(() => console.log('still booting'), 1000);\nsetTimeout(() => server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1',",
    );
    project.replace('src/server.ts', "console.log(`typed-http listening (pid ${process.pid})`));", 'console.log(`typed-http listening (pid ${process.pid})`)), 1500);');
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(output(/still booting/));
    expect(tscPids(hot)).toEqual([]);
    await hot.interact(answer(port, /^hello v1 /), until('tsc runs beside hot once the app listens', () => tscPids(hot).length === 1, TSC));
  });

  it('with "block", keeps the previous version until the type error is fixed, then serves the new one', async () => {
    const project = typedProject(session.project('typed-http'));
    project.write('.hotrc.toml', '[build]\nentry = "src/server.ts"\n[check]\ntypes = "block"\n');
    const port = await freePort();
    const hot = session.run(project, [], { env: { PORT: String(port) } });
    // The first start waits for tsc's first verdict too.
    await hot.interact(output(/started src\/server\.ts/, TSC), watching(), answer(port, /^hello v1 /));
    const first = await get(port);
    await hot.interact(
      act('introduce a type error that also changes the answer', () => project.replace('src/message.ts', "const version: string = 'v1'", TYPE_ERROR)),
      output(/src\/message\.ts:2:9 - error TS2322/, TSC),
      output(/type errors \(above\) hold the restart \(in \d+ ms\), keeping the previous process running/, TSC),
    );
    expect(await get(port)).toBe(first);
    // Types are erased: the fixed program's JavaScript is the one held back, and it must still start.
    await hot.interact(
      act('fix the type only', () => project.replace('src/message.ts', TYPE_ERROR, FIXED)),
      output(/types ok: the type error is fixed/, TSC),
      output(/restarting: src\/message\.ts changed/, TSC),
      answer(port, /^hello v2 /),
    );
  });

  it('--json carries the errors with absolute paths, and kill -9 of hot leaves no tsc behind', async () => {
    const project = typedProject(session.project('typed-http'));
    project.replace('src/message.ts', "const version: string = 'v1'", "const version: number = 'v1'");
    const port = await freePort();
    // No arguments: the entry comes from the dev script, as in a real project.
    const hot = session.run(project, ['--json'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^hello v1 /), output(/"type":"types-failed"/, { stream: 'stdout', ...TSC }));
    await hot.interact(act('fix the type', () => project.replace('src/message.ts', "const version: number = 'v1'", "const version: string = 'v1'")), output(/"type":"types-ok"/, { stream: 'stdout', ...TSC }));
    const events = hot
      .output('stdout')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HotEvent);
    expect(events.find((event) => event.type === 'types-failed')).toEqual({
      time: expect.any(String),
      type: 'types-failed',
      blocking: false,
      errors: [{ file: project.path('src/message.ts'), line: 2, column: 9, code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }],
    });
    expect(events.find((event) => event.type === 'types-ok')).toMatchObject({ fixed: 1 });
    // tsc's own lines never pass through: only hot's block, with file:line:col.
    expect(hot.output()).not.toMatch(/\(\d+,\d+\): error TS|Watching for file changes/);
    const tsc = tscPids(hot);
    expect(tsc).toHaveLength(1);
    await hot.interact(act('kill -9 hot', () => hot.signal('SIGKILL')), exit(), until('the watchdog stopped tsc', () => tscPids(hot).length === 0 && hot.liveProcesses() === 0));
  });

  it('says in one line when tsc is missing, and serves anyway', async () => {
    const project = session.project('typed-http');
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts', '--check-types'], { env: { PORT: String(port) } });
    await hot.interact(
      answer(port, /^hello v1 /),
      output(/\[hot\] type check off: no node_modules\/\.bin\/tsc in the project or a directory above it\n\[hot\] hint: install TypeScript/),
    );
    expect(hot.output()).not.toMatch(/\n\s+at /);
  });

  it('says in one line, with its last words, when tsc exits, and serves on', async () => {
    const project = session.project('typed-http');
    // A tsc that refuses its options, as an old or foreign one would.
    project.write('node_modules/.bin/tsc', "#!/bin/sh\necho \"error TS5023: Unknown compiler option '--watch'.\"\nexit 1\n");
    chmodSync(project.path('node_modules/.bin/tsc'), 0o755);
    const port = await freePort();
    const hot = session.run(project, ['src/server.ts'], { env: { PORT: String(port) } });
    await hot.interact(answer(port, /^hello v1 /), output(/\[hot\] type check off: tsc exited with code 1 \(error TS5023: Unknown compiler option '--watch'\.\)\n\[hot\] hint: hot goes on without the type check/));
    await hot.interact(act('edit the message', () => project.replace('src/message.ts', "'v1'", "'v2'")), answer(port, /^hello v2 /));
    expect(hot.output()).not.toMatch(/\n\s+at /);
  });
});
