import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { CONFIG_FILE_NAME, type ResolvedConfig } from '../config/schema.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { hasOwnConfig, loadPackageConfig } from '../workspace/package-config.js';
import { runChecks, type CheckResult } from './doctor-checks.js';
import { detectedOverrides } from './detected-entry.js';
import { configPathOf, toOverrides, useColor, type CliFlags } from './flags.js';
import { checkWorkspaceSetUp, findWorkspace, runsPackages } from './workspace-root.js';

interface Target {
  /** Prefix of each line: the package's name in a workspace. */
  label: string;
  config: ResolvedConfig;
}

/** `hot doctor`: one line per check; exit code 1 when one failed. */
export async function runDoctor(flags: CliFlags): Promise<void> {
  const logger = createLogger({ level: 'info', color: useColor(flags) });
  const cwd = process.cwd();
  let failed = false;
  for (const { label, config } of doctorTargets(flags, cwd)) {
    logger.info(`${label}checking ${config.configFile ? path.relative(cwd, config.configFile) || CONFIG_FILE_NAME : 'the command line'}`);
    for (const result of await runChecks(config, cwd)) {
      if (report(result, label, logger)) failed = true;
    }
  }
  logger.info(failed ? 'found problems: see FAIL above' : 'no problems found');
  process.exitCode = failed ? 1 : 0;
}

/** At a workspace root that runs its packages, each package with its own config; else the one config. */
function doctorTargets(flags: CliFlags, cwd: string): Target[] {
  const overrides = toOverrides(undefined, flags);
  const configPath = configPathOf(flags);
  const workspace = configPath === undefined ? findWorkspace(cwd) : null;
  if (workspace && runsPackages(workspace, cwd)) {
    return workspace.packages.filter(hasOwnConfig).map((pkg) => ({ label: `${pkg.name}: `, config: loadPackageConfig(workspace, pkg, overrides) }));
  }
  if (configPath !== undefined) return [{ label: '', config: loadConfig({ cwd, overrides, configPath }) }];
  // Without a config, the entry bare `hot` would detect and run.
  const detected = detectedOverrides(cwd, overrides, null);
  checkWorkspaceSetUp(workspace, cwd, detected.overrides.entry);
  const project = detected.project ? { project: detected.project } : {};
  return [{ label: '', config: loadConfig({ cwd, overrides: detected.overrides, lookedFor: detected.lookedFor, ...project }) }];
}

/** Logs one check's line; true when it failed. */
function report(result: CheckResult, label: string, logger: Logger): boolean {
  const extras = result.hint ? { hint: result.hint } : undefined;
  switch (result.status) {
    case 'ok':
      logger.success(`${label}ok    ${result.line}`);
      return false;
    case 'warn':
      logger.warn(`${label}warn  ${result.line}`, extras);
      return false;
    case 'skip':
      logger.info(`${label}skip  ${result.line}`);
      return false;
    case 'fail':
      logger.error(`${label}FAIL  ${result.line}`, extras);
      return true;
  }
}
