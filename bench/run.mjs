// Runs the benchmark scenarios and prints one markdown table each; a full run also writes
// bench/RESULTS.md. Usage: npm run bench [-- --scenario 2,3] [-- --tools hot,nodemon]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './lib/harness.mjs';
import { selectTools } from './lib/tools.mjs';

const SCENARIO_FILES = [
  '1-save-to-served.mjs',
  '2-availability.mjs',
  '3-burst.mjs',
  '4-orphans.mjs',
  '5-crash-loop.mjs',
  '6-stubborn-child.mjs',
  '7-large-tree.mjs',
  '8-rebuild-cost.mjs',
  '9-proxy-overhead.mjs',
  '10-monorepo.mjs',
  '11-realistic-app.mjs',
  '12-first-answer.mjs',
];

const argument = (name) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? null : process.argv[index + 1];
};
const onlyScenarios = argument('scenario')?.split(',').map(Number) ?? null;
const tools = selectTools(argument('tools'));
const startedAt = Date.now();

const sections = [];
for (const [index, file] of SCENARIO_FILES.entries()) {
  const id = index + 1;
  if (onlyScenarios && !onlyScenarios.includes(id)) continue;
  const scenario = await import(`./scenarios/${file}`);
  process.stderr.write(`scenario ${id}: ${scenario.title}…\n`);
  const began = Date.now();
  const markdown = await scenario.run({ tools, log: (line) => process.stderr.write(`  ${line}\n`) });
  sections.push(`### ${id}. ${scenario.title}\n\n${markdown.trim()}\n\n_took ${((Date.now() - began) / 1000).toFixed(0)} s_`);
  console.log(`${sections.at(-1)}\n`);
}

const resultsFile = path.join(REPO, 'bench', 'RESULTS.md');
if (onlyScenarios && !argument('tools') && existsSync(resultsFile)) {
  // A partial run with every tool replaces its own sections of RESULTS.md, dated.
  let text = readFileSync(resultsFile, 'utf8');
  for (const section of sections) {
    const id = /^### (\d+)\./.exec(section)?.[1];
    const pattern = new RegExp(`### ${id}\\. [\\s\\S]*?(?=\\n### \\d+\\. |$)`);
    const dated = section.replace(/\n\n_took/, `\n\n_re-run alone on ${new Date().toISOString()}; took`);
    text = pattern.test(text) ? text.replace(pattern, `${dated}\n`) : `${text}\n${dated}\n`;
  }
  writeFileSync(resultsFile, text);
  process.stderr.write(`updated scenario ${onlyScenarios.join(', ')} in bench/RESULTS.md\n`);
}

if (!onlyScenarios && !argument('tools')) {
  const header = [
    '# hot benchmarks',
    '',
    `Run on ${new Date().toISOString()} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}) · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.versions.node} · ${os.platform()} ${os.release()}`,
    '',
    `Tools: ${tools.map((tool) => `${tool.name} ${tool.version()}`).join(' · ')}`,
    '',
    'One run on a shared 2-core machine: compare rows within a table (ratios), not separate runs. Processes are identified by a unique marker in their environment, never by name. "n/a": the tool cannot do what the scenario asks.',
    '',
    `Whole run: ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`,
    '',
  ].join('\n');
  writeFileSync(resultsFile, `${header}\n${sections.join('\n\n')}\n`);
  process.stderr.write('wrote bench/RESULTS.md\n');
}
