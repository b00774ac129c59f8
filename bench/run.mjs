// Runs the benchmarks one after another and writes their tables to bench/RESULTS.md.
// Usage: npm run bench [-- --only availability]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, version } from './lib/harness.mjs';

const SCENARIOS = [
  { name: 'save-to-served', file: 'save-to-served.mjs', args: ['--edits', '15'] },
  { name: 'availability', file: 'availability.mjs', args: [] },
  { name: 'proxy-overhead', file: 'proxy-overhead.mjs', args: ['--seconds', '5'] },
];

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? null : process.argv[onlyIndex + 1].split(',');
const sections = [];
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue;
  process.stderr.write(`running ${scenario.name}…\n`);
  const output = execFileSync(process.execPath, [path.join(REPO, 'bench', scenario.file), ...scenario.args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 5 * 60_000,
  });
  sections.push(output.trim());
}

const header = [
  '# hot benchmarks',
  '',
  `Run on ${new Date().toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}) · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.versions.node} · ${os.platform()} ${os.release()}`,
  '',
  `Tools: hot ${version('..')} · nodemon ${version('nodemon')} · tsx ${version('tsx')} · node --watch (Node ${process.versions.node})`,
  '',
  'Numbers from one run on a shared machine: compare the rows of one table (ratios), not runs.',
  '',
].join('\n');
const text = `${header}\n${sections.join('\n\n')}\n`;
writeFileSync(path.join(REPO, 'bench', 'RESULTS.md'), text);
console.log(text);
