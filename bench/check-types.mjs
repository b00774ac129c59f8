// What the type check beside the restart ([check] types) costs, on a copy of fixtures/projects/express-ts
// with this repository's node_modules linked in: tsc's CPU per save, save -> type-error block, save ->
// new version ready, tsc's memory. Not part of `npm run bench` (no peer to compare with).
//   node bench/check-types.mjs [true|block|false] [saves]
// The copy gets a `declare module 'express'` and noImplicitAny = false, since @types/express is not
// installed here: a clean project is what "block" needs to start at all.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds, freePort, REPO, rssMb, sleep, spread, waitFor } from './lib/harness.mjs';

const mode = process.argv[2] ?? 'true';
const saves = Number(process.argv[3] ?? 8);
const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-bench-types-'));
cpSync(path.join(REPO, 'fixtures/projects/express-ts'), dir, { recursive: true });
symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
writeFileSync(path.join(dir, 'src/express-shim.d.ts'), "declare module 'express';\n");
const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, compilerOptions: { ...tsconfig.compilerOptions, noImplicitAny: false } }));

const port = await freePort();
const startedAt = Date.now();
const hot = spawn(process.execPath, [path.join(REPO, 'dist/cli/main.cjs'), 'src/server.ts', '--json', '--check-types', mode], {
  cwd: dir,
  env: { ...process.env, PORT: String(port), NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'ignore'],
});
const events = [];
let pending = '';
hot.stdout.on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
    events.push({ at: Date.now(), ...JSON.parse(pending.slice(0, end)) });
    pending = pending.slice(end + 1);
  }
});
const next = async (from, types) => {
  const event = await waitFor(() => events.slice(from).find((seen) => types.includes(seen.type)), 120_000);
  if (!event) throw new Error(`no ${types.join(' or ')} event within 120 s`);
  return event;
};
const verdictTypes = ['types-failed', 'types-ok'];

const tscPid = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .find((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some((arg) => arg.endsWith(path.join('.bin', 'tsc'))) && argv.includes(path.join(dir, 'tsconfig.json'));
      } catch {
        return false;
      }
    }) ?? null;

const ready = await next(0, ['ready']);
const first = mode === 'false' ? null : await next(0, verdictTypes);
const pid = tscPid();
console.log(`mode ${mode}: first ready ${ready.at - startedAt} ms; tsc's first verdict ${first ? `${first.at - startedAt} ms, ${cpuSeconds(pid).toFixed(2)} s CPU, ${rssMb(pid).toFixed(0)} MB RSS` : 'none'}`);

const file = path.join(dir, 'src/routes/users.ts');
const original = readFileSync(file, 'utf8');
const rows = [];
for (let save = 0; save < saves; save++) {
  await sleep(1500);
  const broken = save % 2 === 0;
  const from = events.length;
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  const savedAt = Date.now();
  const edited = original.replace("name: 'Ada v1'", `name: 'Ada v${save + 2}'`);
  writeFileSync(file, broken ? `${edited}\nexport const bad: number = 'x';\n` : edited);
  const verdict = mode === 'false' ? null : await next(from, verdictTypes);
  // With "block" a broken save never gets a new version.
  const served = broken && mode === 'block' ? null : await next(from, ['ready']);
  await sleep(1000);
  rows.push({ broken, block: verdict ? verdict.at - savedAt : null, ready: served ? served.at - savedAt : null, cpu: pid ? (cpuSeconds(pid) - cpuBefore) * 1000 : null });
}
const column = (pick) => spread(rows.map(pick).filter((value) => value !== null)).join(' / ');
console.log(`${saves} saves (min / median / p90, ms): save -> type block ${column((row) => row.block)}; save -> ready ${column((row) => row.ready)}; tsc CPU per save ${column((row) => row.cpu)}`);
if (pid) console.log(`tsc RSS after the saves: ${rssMb(pid).toFixed(0)} MB`);
hot.kill('SIGTERM');
await new Promise((resolve) => hot.once('exit', resolve));
console.log((await waitFor(() => tscPid() === null, 5000)) ? 'tsc stopped with hot' : 'tsc OUTLIVED hot');
rmSync(dir, { recursive: true, force: true });
