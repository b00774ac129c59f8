import path from 'node:path';
import { CONFIG_FILE_NAME, DEFAULT_DELAY_MS, POLL_INTERVAL_MS, type CliOverrides, type ResolvedConfig } from '../config/schema.js';
import { ConfigError, isHotError } from '../errors.js';
import type { PackageEvent } from '../events.js';
import { createHandoff } from '../handoff/generations.js';
import { withProgramIO } from '../hot.js';
import { createPipeline, type Pipeline } from '../pipeline/pipeline.js';
import { spawnChild } from '../supervise/child.js';
import { startWatchdog, watchedSpawn } from '../supervise/watchdog.js';
import { formatPaths, relativeTo } from '../ui/format.js';
import { createLogger, type Logger, type LogLevel } from '../ui/logger.js';
import { createLinePrefixer, createPackageLabels } from '../ui/prefix.js';
import { createReport, describeWorkspaceWatching } from '../ui/report.js';
import { createRouter, type Router } from '../watch/router.js';
import { createPackageGraph, type PackageGraph } from './graph.js';
import { hasOwnConfig, loadPackageConfig, rootConfigFile } from './package-config.js';
import type { Workspace, WorkspacePackage } from './packages.js';
import { isInsideAny, repositoryIgnoreRule } from './repository-ignore.js';
import { selectPackages } from './select.js';

export interface MonorepoOptions {
  workspace: Workspace;
  /** `--filter` values: names or globs. */
  filters: readonly string[];
  overrides: CliOverrides;
  /** For hot's own lines that concern no single package. */
  logger: Logger;
  level: LogLevel;
  color: boolean;
  /** `--json`: the programs' output goes to stderr, leaving stdout to the events. */
  json?: boolean;
  /** 'ignore' while hot reads the terminal for its shortcuts. */
  programStdin?: 'inherit' | 'ignore';
}

export interface HotMonorepo {
  /** Resolves once every package has started (or failed to); rejects when none could. */
  readonly ready: Promise<void>;
  /** Every package, in dependency order; resolves when the last one is done. */
  restart(reason: string): Promise<void>;
  build(reason: string): Promise<void>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
  kill(): void;
  /** Every event of every package (with its name), and the monorepo's own `watching` and `stopped`. */
  onEvent(listener: (event: PackageEvent) => void): () => void;
}

interface Member {
  pkg: WorkspacePackage;
  /** The first cycles of the packages it depends on (those created before it: a cycle waits for none). */
  after: Promise<unknown>;
  pipeline: Pipeline;
  logger: Logger;
  failed: boolean;
}

/**
 * `hot dev` at a workspace root: N pipelines on one router. A package's successful build becomes an
 * `upstream` input of the packages that depend on it, one dependency level after the other; all
 * else (build, backoff, breaker) stays per package.
 */
export function createWorkspaceHot(options: MonorepoOptions): HotMonorepo {
  const { workspace, logger } = options;
  const root = workspace.root;
  const baseConfigFile = rootConfigFile(workspace);
  const byName = new Map(workspace.packages.map((pkg) => [pkg.name, pkg]));
  for (const problem of workspace.problems) logger.error(problem.message);
  const graph = createPackageGraph(workspace.packages);
  for (const cycle of graph.cycles) {
    const files = cycle.map((name) => relativeTo(byName.get(name)!.manifestFile, root)).join(', ');
    logger.warn(`dependency cycle: ${[...cycle, cycle[0]].join(' → ')} (${files}): a change in one rebuilds the others, in no set order`);
  }
  const selected = selectPackages(workspace, graph, options.filters, (name) => hasOwnConfig(byName.get(name)!));
  if (selected.length === 0) {
    throw new ConfigError(`no workspace package has a ${CONFIG_FILE_NAME} (looked in ${workspace.packages.length} packages from ${workspace.sources.join(' and ')})`, {
      hint: 'run `hot init` in each package hot should run, e.g. `cd packages/api && npx hot init`',
    });
  }
  const labels = createPackageLabels(selected, options.color);
  const loadOne = (pkg: WorkspacePackage): ResolvedConfig => loadPackageConfig(workspace, pkg, options.overrides);
  const configs = loadPackageConfigs(selected.map((name) => byName.get(name)!), loadOne, logger);
  const poll = [...configs.values()].some((config) => config.watch.poll);
  // Only the packages that run and what they depend on: the rest of the repository is never walked.
  const relevant = graph.withDependencies(configs.keys());
  const packageDirs = workspace.packages.filter((pkg) => relevant.has(pkg.name)).map((pkg) => pkg.dir);
  const repositoryRule = repositoryIgnoreRule(root, packageDirs, baseConfigFile);
  const router = createRouter({
    root,
    isIgnored: repositoryRule,
    poll,
    pollIntervalMs: POLL_INTERVAL_MS,
    onPolling: (files) => logger.info(`watching ${files} files by polling every ${POLL_INTERVAL_MS} ms`),
    logger,
  });
  const watchdog = startWatchdog();
  const members = new Map<string, Member>();
  const listeners = new Set<(event: PackageEvent) => void>();
  const emit = (event: PackageEvent): void => {
    for (const listener of listeners) listener(event);
  };
  let closed = false;

  for (const group of graph.startOrder(configs.keys())) {
    for (const name of group) members.set(name, createMember(byName.get(name)!, configs.get(name)!));
  }
  const running = new Set([...members.values()].map((member) => member.pkg.dir));
  subscribeRepository();
  router.start();

  function createMember(pkg: WorkspacePackage, config: ResolvedConfig): Member {
    const label = labels.get(pkg.name)!;
    const memberLogger = createLogger({ level: options.level, color: options.color, label });
    const output = { stdout: createLinePrefixer(label, options.json ? process.stderr : process.stdout), stderr: createLinePrefixer(label, process.stderr) };
    const spawn = withProgramIO(watchedSpawn(spawnChild, watchdog), output, options.programStdin);
    const pipeline = createPipeline({ config, cwd: root, logger: memberLogger, router, spawn, handoff: createHandoff(config.serve), reloadConfig: () => loadOne(pkg), color: options.color });
    pipeline.on(createReport(memberLogger, root));
    pipeline.on((event) => {
      if (event.type !== 'watching') emit({ ...event, package: pkg.name });
    });
    pipeline.onCycle((report) => {
      if (options.level === 'debug') logger.debug(`status: ${[...members].map(([other, member]) => `${other} ${member.pipeline.status()}`).join(' · ')}`);
      // Only a change to the package's own files is passed on: a restart request or a config edit
      // reaches every package by itself, and a rebuild passed on from a dependency is part of its wave.
      if (report.own && report.trigger === 'changes' && report.outcome === 'built') void passOn(pkg.name, report.paths);
    });
    const after = Promise.all(pkg.dependsOn.map((name) => members.get(name)?.pipeline.firstCycle));
    return { pkg, after, pipeline, logger: memberLogger, failed: false };
  }

  /** Each package starts once the packages it depends on have finished their first cycle. */
  async function startMember(member: Member): Promise<void> {
    await member.after;
    if (closed) return;
    try {
      await member.pipeline.start();
      await member.pipeline.firstCycle;
    } catch (error) {
      member.failed = true;
      if (!isHotError(error)) member.logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
      else member.logger.error(error.message, error.hint ? { hint: error.hint } : undefined);
      member.logger.warn(`${member.pkg.name} is stopped; the other packages keep running`);
      await member.pipeline.close();
      throw error;
    }
  }

  /** Rebuilds the packages that depend on `name`, level by level; a failed build stops the wave for its dependents. */
  async function passOn(name: string, paths: readonly string[]): Promise<void> {
    const reason = `${name} changed (${formatPaths(paths, root)})`;
    const broken = new Set<string>();
    for (const group of graph.dependentsInOrder(name)) {
      if (closed) return;
      const next: Member[] = [];
      for (const dependent of group) {
        const member = members.get(dependent);
        const blockedBy = byName.get(dependent)!.dependsOn.find((dep) => broken.has(dep));
        if (blockedBy) {
          broken.add(dependent);
          member?.logger.warn(`not rebuilt: ${blockedBy} failed to build`);
        } else if (member && !member.failed) next.push(member);
      }
      const outcomes = await Promise.all(next.map(async (member) => [member.pkg.name, await member.pipeline.request({ type: 'upstream', paths: [...paths], reason })] as const));
      for (const [dependent, outcome] of outcomes) if (outcome === 'build-failed') broken.add(dependent);
    }
  }

  /** Something for every package, one dependency level after the other (a restart request, a root config change). */
  async function inDependencyOrder(act: (member: Member) => Promise<unknown>): Promise<void> {
    for (const group of graph.startOrder(members.keys())) {
      if (closed) return;
      await Promise.all(group.map((name) => members.get(name)!).filter((member) => !member.failed).map(act));
    }
  }

  function ownerOf(file: string): WorkspacePackage | undefined {
    let best: WorkspacePackage | undefined;
    for (const pkg of workspace.packages) {
      if ((file === pkg.dir || file.startsWith(pkg.dir + path.sep)) && (!best || pkg.dir.length > best.dir.length)) best = pkg;
    }
    return best;
  }

  /** Packages that bundle `file` although it belongs to a package they do not depend on. */
  function directConsumers(file: string, owner: WorkspacePackage | undefined): Member[] {
    const reached = owner ? new Set([owner.name, ...graph.dependentsInOrder(owner.name).flat()]) : new Set<string>();
    return [...members.values()].filter((member) => !reached.has(member.pkg.name) && !member.failed && member.pipeline.isBuildInput(file));
  }

  /**
   * The repository's own subscription, batched like a package's: the root config (reloads every
   * package in dependency order), packages without a pipeline (a library: its dependents rebuild),
   * and files another package bundles without declaring the dependency.
   */
  function subscribeRepository(): void {
    const wants = (file: string): boolean => {
      if (file === baseConfigFile) return true;
      const owner = ownerOf(file);
      return (owner !== undefined && !members.has(owner.name)) || directConsumers(file, owner).length > 0;
    };
    router.subscribe({
      root,
      extraPaths: baseConfigFile ? [baseConfigFile] : [],
      // Inside a running package, its own subscription decides what is walked.
      isIgnored: (file, isDirectory) => repositoryRule(file, isDirectory) || (isInsideAny(running, root, file) && !running.has(file)),
      accept: (change) => !closed && wants(change.path),
      delayMs: baseConfigFile ? (configs.values().next().value?.watch.delayMs ?? DEFAULT_DELAY_MS) : DEFAULT_DELAY_MS,
      onBatch: (batch) => route(batch.paths),
    });
  }

  function route(paths: readonly string[]): void {
    if (closed) return;
    if (baseConfigFile && paths.includes(baseConfigFile)) {
      void inDependencyOrder((member) => member.pipeline.request({ type: 'config-changed', file: baseConfigFile }));
    }
    const byOwner = new Map<string, string[]>();
    const direct = new Map<Member, string[]>();
    for (const file of paths) {
      if (file === baseConfigFile) continue;
      const owner = ownerOf(file);
      if (owner && !members.has(owner.name)) byOwner.set(owner.name, [...(byOwner.get(owner.name) ?? []), file]);
      for (const member of directConsumers(file, owner)) direct.set(member, [...(direct.get(member) ?? []), file]);
    }
    for (const [owner, files] of byOwner) void passOn(owner, files);
    for (const [member, files] of direct) void member.pipeline.request({ type: 'upstream', paths: files, reason: `${formatPaths(files, root)} changed` });
  }

  const started = [...members.values()].map((member) => startMember(member));
  const watching = router.ready.then(() => {
    if (closed) return;
    emit({ type: 'watching', files: router.watchedFileCount(), polling: router.polling, root, build: `${members.size} packages` });
    logger.info(describeWorkspaceWatching([...members.keys()].sort(), router.watchedFileCount(), router.polling));
  });
  const ready = Promise.allSettled(started).then(async (results) => {
    await watching;
    if (results.every((result) => result.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
  });

  let closing: Promise<void> | undefined;
  return {
    ready,
    restart: (reason) => inDependencyOrder((member) => member.pipeline.request({ type: 'manual', rebuildOnly: false, reason })),
    build: (reason) => inDependencyOrder((member) => member.pipeline.request({ type: 'manual', rebuildOnly: true, reason })),
    pause: () => members.forEach((member) => member.pipeline.send({ type: 'pause' })),
    resume: () => members.forEach((member) => member.pipeline.send({ type: 'resume' })),
    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.allSettled([...members.values()].map((member) => member.pipeline.close()));
        await closeRouter(router);
        watchdog.close();
        emit({ type: 'stopped' });
      })();
      return closing;
    },
    kill: () => members.forEach((member) => member.pipeline.kill()),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

async function closeRouter(router: Router): Promise<void> {
  await router.close();
}

/** Each package's config; one with a mistake is reported and left out, the others run. */
function loadPackageConfigs(packages: WorkspacePackage[], load: (pkg: WorkspacePackage) => ResolvedConfig, logger: Logger): Map<string, ResolvedConfig> {
  const configs = new Map<string, ResolvedConfig>();
  for (const pkg of packages) {
    try {
      configs.set(pkg.name, load(pkg));
    } catch (error) {
      if (!isHotError(error)) throw error;
      logger.error(`${pkg.name}: ${error.message}`, error.hint ? { hint: error.hint } : undefined);
      logger.warn(`${pkg.name} is left out until hot is started again; the other packages run`);
    }
  }
  if (configs.size === 0) throw new ConfigError('no package could be started: every package config has a mistake (see above)');
  return configs;
}

export type { PackageGraph };
