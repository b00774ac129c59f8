import { createNoBuilder, type Builder } from './build/builder.js';
import { createCommandBuilder } from './build/command.js';
import { createEsbuildBuilder } from './build/esbuild.js';
import { describeCommand } from './config/command-line.js';
import type { ResolvedConfig } from './config/schema.js';
import { isHotError } from './errors.js';
import type { BuildResult, ChangeBatch, ChildExit, FileChange, SupervisorEvent, Trigger } from './events.js';
import { decideAfterExit } from './supervise/backoff.js';
import { spawnChild } from './supervise/child.js';
import { createSupervisor, type Supervisor } from './supervise/supervisor.js';
import { describeExitStatus, formatDuration, formatPaths, relativeTo } from './ui/format.js';
import type { Logger } from './ui/logger.js';
import { createBatcher, type Batcher } from './watch/batch.js';
import { createPathFilter, type PathFilter } from './watch/filter.js';
import { loadGitignoreRules } from './watch/gitignore.js';
import { createWatcher, type Watcher } from './watch/watcher.js';

export interface HotOptions {
  config: ResolvedConfig;
  logger: Logger;
  /** Whether compiler messages may carry colour. */
  color?: boolean;
  /** Base for the paths hot prints; defaults to process.cwd(). */
  cwd?: string;
  /** Re-reads the config file after it changes; throws a ConfigError when the new one is invalid. */
  reloadConfig?: () => ResolvedConfig;
}

export interface HotApp {
  /** Resolves when the watcher is ready and the first build-and-start cycle has finished. */
  readonly ready: Promise<void>;
  /** Rebuilds and restarts now, whatever the output. */
  restart(reason: string): void;
  /** Stops watching and stops the program through its kill path. Idempotent. */
  close(): Promise<void>;
  /** SIGKILL to the program's process group, for a second Ctrl-C. */
  kill(): void;
}

type TriggerType = Trigger['type'];
/** When triggers pile up during a cycle, the next cycle runs as the most demanding of them. */
const TRIGGER_WEIGHT: Record<TriggerType, number> = { retry: 0, start: 1, changes: 2, manual: 3, 'config-changed': 4 };

/**
 * The orchestrator: watcher -> filter -> batch -> build -> supervisor, and all of the runtime policy.
 * One cycle (build, then restart) at a time; triggers arriving meanwhile merge into exactly one more.
 */
export function startHot(options: HotOptions): HotApp {
  const { logger } = options;
  const cwd = options.cwd ?? process.cwd();
  let config = options.config;
  let filter = makeFilter(config);
  let builder = makeBuilder(config, options);
  let supervisor = makeSupervisor(config);
  let batcher = makeBatcher(config);
  let watcher: Watcher = makeWatcher(config);
  let crashTimes: number[] = [];
  let closed = false;
  let busy = false;
  let pending: { type: TriggerType; paths: string[]; reason: string | null } | null = null;
  let closing: Promise<void> | undefined;
  let firstCycle: (() => void) | undefined;

  function makeFilter(current: ResolvedConfig): PathFilter {
    const { watch } = current;
    return createPathFilter({ ...watch, gitignoreRules: watch.gitignore ? loadGitignoreRules(watch.root) : null });
  }

  function makeBuilder(current: ResolvedConfig, { color = false }: HotOptions): Builder {
    const { build } = current;
    switch (build.kind) {
      case 'none':
        return createNoBuilder();
      case 'esbuild':
        return createEsbuildBuilder({ ...build, logger, color });
      case 'command':
        return createCommandBuilder({ ...build, logger, spawn: spawnChild, describe: describeCommand });
    }
  }

  function makeSupervisor(current: ResolvedConfig): Supervisor {
    return createSupervisor({
      run: current.run,
      onEvent: (event) => onSupervisorEvent(event),
      onEnvFileProblem: (file, reason) => logger.warn(`cannot read env file ${relativeTo(file, cwd)} (${reason}), starting without it`),
    });
  }

  function makeBatcher(current: ResolvedConfig): Batcher {
    return createBatcher(current.watch.delayMs, (batch) => onBatch(batch));
  }

  function makeWatcher(current: ResolvedConfig): Watcher {
    return createWatcher({
      root: current.watch.root,
      isIgnored: (file, isDirectory) => filter.isIgnored(file, isDirectory),
      onChange: (change) => onChange(change),
      logger,
    });
  }

  function onChange(change: FileChange): void {
    if (closed) return;
    const relevant = filter.isIncluded(change.path) || builder.isInput(change.path);
    logger.debug(`${change.kind} ${relativeTo(change.path, cwd)}${relevant ? '' : ' (not watched by include, ignored)'}`);
    if (relevant) batcher.add(change.path);
  }

  function onBatch(batch: ChangeBatch): void {
    const configChanged = config.configFile !== null && batch.paths.includes(config.configFile);
    request(configChanged ? 'config-changed' : 'changes', batch.paths);
  }

  function request(type: TriggerType, paths: string[] = [], reason: string | null = null): void {
    if (closed) return;
    if (!pending) pending = { type, paths: [...paths], reason };
    else {
      if (TRIGGER_WEIGHT[type] > TRIGGER_WEIGHT[pending.type]) pending.type = type;
      for (const file of paths) if (!pending.paths.includes(file)) pending.paths.push(file);
      pending.reason ??= reason;
    }
    if (!busy) void drain();
  }

  async function drain(): Promise<void> {
    busy = true;
    try {
      while (pending && !closed) {
        const next = pending;
        pending = null;
        await runCycle(next.type, next.paths, next.reason);
      }
    } catch (error) {
      logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
    } finally {
      busy = false;
      firstCycle?.();
      firstCycle = undefined;
    }
  }

  async function runCycle(type: TriggerType, paths: string[], reason: string | null): Promise<void> {
    if (type === 'retry') {
      await startProgram(paths, null, 'restarting after crash');
      return;
    }
    if (type === 'config-changed' && !(await applyNewConfig())) return;
    if (type !== 'start') crashTimes = [];
    logger.debug(`building (${builder.description})`);
    const result = await builder.build();
    if (closed) return;
    if (result.type === 'build-failed') {
      await reportBuildFailure(result);
      return;
    }
    const why = describeTrigger(type, paths, reason);
    const programUp = supervisor.state === 'running';
    if (!result.outputChanged && programUp && type === 'changes') {
      logger.info(`${why}, output unchanged (built in ${formatDuration(result.durationMs)}): not restarting`);
      return;
    }
    await startProgram(paths, result, type === 'start' ? 'started' : `restarting: ${why}`);
  }

  async function startProgram(paths: string[], build: BuildResult | null, headline: string): Promise<void> {
    if (closed) return;
    await supervisor.start({ changedPaths: paths });
    const pid = supervisor.pid;
    if (pid === null) return;
    const details = [build && build.durationMs > 0 ? `built in ${formatDuration(build.durationMs)}` : null, `pid ${pid}`].filter(Boolean).join(', ');
    const subject = headline === 'started' ? `started ${programLabel()}` : headline;
    logger.success(`${subject} (${details})`);
  }

  async function reportBuildFailure(result: Extract<BuildResult, { type: 'build-failed' }>): Promise<void> {
    const took = formatDuration(result.durationMs);
    if (config.run.stopOnError && supervisor.state === 'running') {
      logger.error(`build failed in ${took}, stopping the app (stop_on_error), waiting for changes`);
      logger.block(result.diagnostics);
      await supervisor.stop();
      return;
    }
    const keeping = supervisor.state === 'running' ? 'keeping the previous process running' : 'waiting for changes';
    logger.error(`build failed in ${took}, ${keeping}`);
    logger.block(result.diagnostics);
  }

  /** Swaps in the re-read config; a broken one is reported and the running one kept. */
  async function applyNewConfig(): Promise<boolean> {
    if (!options.reloadConfig) return false;
    let next: ResolvedConfig;
    try {
      next = options.reloadConfig();
    } catch (error) {
      if (!isHotError(error)) throw error;
      logger.error(error.message, error.hint ? { hint: error.hint } : undefined);
      logger.warn('config not applied: still running with the previous one');
      return false;
    }
    const previous = config;
    config = next;
    filter = makeFilter(next);
    if (!sameJson(previous.build, next.build)) {
      await builder.close();
      builder = makeBuilder(next, options);
    }
    if (!sameJson(previous.run, next.run)) {
      await supervisor.close();
      supervisor = makeSupervisor(next);
    }
    if (previous.watch.delayMs !== next.watch.delayMs) {
      batcher.close();
      batcher = makeBatcher(next);
    }
    if (!sameJson(previous.watch, next.watch)) {
      await watcher.close();
      watcher = makeWatcher(next);
      await watcher.ready;
    }
    return true;
  }

  function onSupervisorEvent(event: SupervisorEvent): void {
    switch (event.type) {
      case 'spawned':
        logger.debug(`spawned pid ${event.pid} (restart #${event.restartCount})`);
        return;
      case 'force-killed':
        logger.warn(`app (pid ${event.pid}) did not stop within ${formatDuration(event.afterMs)} of ${config.run.killSignal}: killed it with SIGKILL`);
        return;
      case 'exited':
        onProgramExit(event.exit);
        return;
    }
  }

  function onProgramExit(exit: ChildExit): void {
    if (exit.requested) {
      logger.debug(`app (pid ${exit.pid}) stopped: ${describeExitStatus(exit.code, exit.signal)}`);
      return;
    }
    if (closed) return;
    if (exit.spawnError) {
      const hint = isHotError(exit.spawnError) ? exit.spawnError.hint : undefined;
      logger.error(`${exit.spawnError.message}, waiting for changes`, hint ? { hint } : undefined);
      supervisor.trip();
      return;
    }
    const { decision, crashTimes: kept } = decideAfterExit(exit, crashTimes, Date.now(), config.restart);
    crashTimes = kept;
    const status = describeExitStatus(exit.code, exit.signal);
    const notFound = exit.code === 127 ? { hint: 'exit code 127 means the shell could not find the command' } : undefined;
    switch (decision.action) {
      case 'wait':
        logger.info('app exited cleanly, waiting for changes');
        return;
      case 'restart':
        logger.warn(`app ${status}, restarting in ${formatDuration(decision.delayMs)} (${decision.attempt}/${decision.maxRestarts})`, notFound);
        supervisor.enterBackoff(decision.delayMs, () => request('retry'));
        return;
      case 'trip':
        logger.error(`app ${status}: it crashed ${decision.crashes} times in ${formatDuration(decision.windowMs)}, waiting for changes`, notFound);
        supervisor.trip();
        return;
    }
  }

  /** The entry file for hot's own esbuild bundle (its cache path means nothing to the user), else the command. */
  function programLabel(): string {
    const { build, run } = config;
    if (build.kind === 'esbuild' && run.command.kind === 'argv' && run.command.argv.includes(build.outfile)) return relativeTo(build.entry, cwd);
    return describeCommand(run.command);
  }

  function describeTrigger(type: TriggerType, paths: string[], reason: string | null): string {
    switch (type) {
      case 'changes':
        return `${formatPaths(paths, cwd)} changed`;
      case 'config-changed':
        return `${relativeTo(config.configFile ?? '', cwd)} changed`;
      case 'manual':
        return reason ?? 'restart requested';
      case 'start':
      case 'retry':
        return type;
    }
  }

  const firstCycleDone = new Promise<void>((resolve) => {
    firstCycle = resolve;
  });
  const watching = watcher.ready.then(() => {
    if (closed) return;
    logger.info(`watching ${relativeTo(config.watch.root, cwd)} (${watcher.watchedFileCount()} files; build: ${builder.description})`);
  });
  const ready = (async () => {
    request('start');
    await Promise.all([watching, firstCycleDone]);
  })();

  return {
    ready,
    restart(reason) {
      request('manual', [], reason);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        pending = null;
        batcher.close();
        const results = await Promise.allSettled([supervisor.close(), builder.close(), watcher.close()]);
        for (const result of results) {
          if (result.status === 'rejected') logger.debug(`while closing: ${String(result.reason)}`);
        }
      })();
      return closing;
    },
    kill() {
      supervisor.kill();
      void builder.close();
    },
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
