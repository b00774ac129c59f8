import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { act, output } from '../helpers/interact.js';
import { useSession } from '../helpers/session.js';

const RESTARTS = 1000;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

const session = useSession();

it(`keeps hot's memory and file descriptors flat over ${RESTARTS} restarts`, async () => {
  const project = session.project();
  project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
  project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n');
  const hot = session.run(project, ['--quiet']);
  const pid = hot.child.pid!;
  const samples: Array<{ restart: number; rssMb: number; fds: number }> = [];
  await hot.interact(output(/^up 0$/m));
  for (let restart = 1; restart <= RESTARTS; restart++) {
    await hot.interact(act('send SIGUSR2', () => hot.signal('SIGUSR2')), output(new RegExp(`^up ${restart}$`, 'm'), { timeoutMs: 30_000 }));
    if (restart === 100 || restart % 250 === 0) samples.push({ restart, rssMb: rssMb(pid), fds: openFds(pid) });
  }
  console.log(`soak: ${samples.map((s) => `#${s.restart} rss ${s.rssMb.toFixed(1)} MB fds ${s.fds}`).join(' · ')}`);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  expect(last.fds).toBeLessThanOrEqual(first.fds + 2);
  expect(last.rssMb).toBeLessThan(first.rssMb + 30);
});
