import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runHot } from '../helpers/hot-process.js';
import { createProject } from '../helpers/project.js';

const RESTARTS = 1000;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

it(`keeps hot's memory and file descriptors flat over ${RESTARTS} restarts`, async () => {
  const project = createProject();
  project.write('app.mjs', 'console.log(`up ${process.env.HOT_RESTART_COUNT}`);\nsetInterval(() => {}, 1000);\n');
  project.write('.hotrc.toml', 'include = ["app.mjs"]\nbin = "node app.mjs"\n');
  const hot = runHot(['--quiet'], { cwd: project.dir });
  const pid = hot.child.pid!;
  const samples: Array<{ restart: number; rssMb: number; fds: number }> = [];
  try {
    await hot.waitFor(/up 0\n/);
    for (let restart = 1; restart <= RESTARTS; restart++) {
      hot.signal('SIGUSR2');
      await hot.waitFor(new RegExp(`up ${restart}\\n`), { from: Math.max(0, hot.output().length - 200), timeoutMs: 30_000 });
      if (restart === 100 || restart % 250 === 0) samples.push({ restart, rssMb: rssMb(pid), fds: openFds(pid) });
    }
  } finally {
    await hot.cleanup();
    project.remove();
  }
  console.log(`soak: ${samples.map((s) => `#${s.restart} rss ${s.rssMb.toFixed(1)} MB fds ${s.fds}`).join(' · ')}`);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  expect(last.fds).toBeLessThanOrEqual(first.fds + 2);
  expect(last.rssMb).toBeLessThan(first.rssMb + 30);
});
