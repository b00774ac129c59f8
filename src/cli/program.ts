import { readFileSync } from 'node:fs';
import { cac, type CAC } from 'cac';
import { SETTINGS, type SettingSpec, type ValueType } from '../config/schema.js';
import { fail } from './fail.js';
import type { CliFlags } from './flags.js';

/** How a flag's value is named in --help, by the setting's type. */
const PLACEHOLDERS: Partial<Record<ValueType, string>> = { ms: 'ms', 'string-list': 'glob', signal: 'signal', string: 'file', port: 'port' };

const packageInfo = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The program: every flag from the settings table, three commands, each loaded only when it runs. */
function createProgram(): CAC {
  const cli = cac('hot');
  for (const setting of SETTINGS) {
    if (setting.flag) cli.option(optionSyntax(setting, setting.flag), optionHelp(setting));
  }
  cli.option('--no-color', 'Plain output without colours');

  const dev = async (entry: string | undefined, flags: CliFlags): Promise<void> => (await import('./dev.js')).runDev(entry, flags);
  cli
    .command('[entry]', 'Build, run and restart on changes (the same as `hot dev`)')
    .usage('[entry] [options] [-- command ...]')
    .example('hot                          # uses ./.hotrc.toml, or finds the entry (package.json scripts, main, src/main.ts…)')
    .example('hot src/server.ts            # run it in place (TypeScript through tsx), restart on changes')
    .example('hot -- node server.js        # restart a command when files in the cwd change')
    .example('hot dev --filter api         # at a monorepo root: api and the packages it depends on')
    .action(dev);
  cli.command('dev [entry]', 'Build, run and restart on changes').action(dev);
  cli
    .command('init', `Write a commented .hotrc.toml with the entry hot finds (at a workspace root: one per package that runs)`)
    .option('--from <file>', 'Convert an .air.toml or a nodemon.json instead')
    .example('hot init --from .air.toml')
    .action(async (flags: CliFlags & { from?: string }) => (await import('./init.js')).runInit(flags));
  cli
    .command('doctor', 'Check what usually goes wrong: watch limits, file-system events, the port, the commands')
    .action(async (flags: CliFlags) => (await import('./doctor.js')).runDoctor(flags));
  cli.help();
  cli.version(packageInfo.version);
  return cli;
}

/** `-c, --config <file>`, `--poll`: a boolean takes no value. */
function optionSyntax(setting: SettingSpec, flag: string): string {
  const short = setting.shortFlag ? `-${setting.shortFlag}, ` : '';
  if (setting.type === 'boolean') return `${short}--${flag}`;
  // On by itself, or given a value: `--check-types`, `--check-types block`, `--no-check-types`.
  if (setting.type === 'switch') return `${short}--${flag} [${(setting.choices ?? ['value']).join('|')}]`;
  return `${short}--${flag} <${PLACEHOLDERS[setting.type] ?? 'value'}>`;
}

function optionHelp(setting: SettingSpec): string {
  const repeat = setting.type === 'string-list' ? ' (repeatable)' : '';
  return `${setting.description.charAt(0).toUpperCase()}${setting.description.slice(1)}${repeat}`;
}

function main(): void {
  const cli = createProgram();
  try {
    cli.parse(process.argv, { run: false });
    const result = cli.runMatchedCommand();
    if (result instanceof Promise) result.catch((error: unknown) => fail(error));
  } catch (error) {
    fail(error);
  }
}

main();
