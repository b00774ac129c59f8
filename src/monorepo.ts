import path from 'node:path';
import { startHot, type CycleReport, type HotApp } from './app.js';
import { CONFIG_FILE_NAME, DEFAULT_DELAY_MS, DEFAULT_EXCLUDE, POLL_INTERVAL_MS, type CliOverrides, type ResolvedConfig } from './config/schema.js';
import { ConfigError, isHotError } from './errors.js';
import type { PackageEvent } from './events.js';
import { startWatchdog } from './supervise/watchdog.js';
import { formatPaths, relativeTo } from './ui/format.js';
import { createLogger, type Logger, type LogLevel } from './ui/logger.js';
import { createLinePrefixer, createPackageLabels } from './ui/prefix.js';
import { createBatcher, type Batcher } from './watch/batch.js';
import { createPathFilter } from './watch/filter.js';
import { loadGitignoreRules } from './watch/gitignore.js';
import { createSharedWatcher } from './watch/shared-watcher.js';
import { createPackageGraph } from './workspace/graph.js';
import type { Workspace, WorkspacePackage } from './workspace/packages.js';
import { hasOwnConfig, loadPackageConfig, rootConfigFile } from './workspace/package-config.js';
import { selectPackages } from './workspace/select.js';

/** The start line names this many packages, then counts the rest. */
const MAX_NAMES_SHOWN = 8;

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
  app: HotApp;
  logger: Logger;
}

/**
 * `hot dev` at a workspace root: one pipeline per package that has a .hotrc.toml, all fed by one
 * watcher. A package's successful build passes on to the packages that depend on it, in dependency
 * order; everything else (build, backoff, circuit breaker) stays per package.
 */
export function startMonorepo(options: MonorepoOptions): HotMonorepo {
  const { workspace, logger } = options;
  const root = workspace.root;
  const baseConfigFile = rootConfigFile(workspace);
  const byName = new Map(workspace.packages.map((pkg) => [pkg.name, pkg]));
  const hasConfig = (name: string): boolean => hasOwnConfig(byName.get(name)!);

  for (const problem of workspace.problems) logger.error(problem.message);
  const graph = createPackageGraph(workspace.packages);
  for (const cycle of graph.cycles) {
    const files = cycle.map((name) => relativeTo(byName.get(name)!.manifestFile, root)).join(', ');
    logger.warn(`dependency cycle: ${[...cycle, cycle[0]].join(' → ')} (${files}): a change in one rebuilds the others, in no set order`);
  }
  const selected = selectPackages(workspace, graph, options.filters, hasConfig);
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
  const isInside = (dir: string, file: string): boolean => file === dir || file.startsWith(dir + path.sep);
  const shared = createSharedWatcher({
    root,
    isIgnored: repositoryIgnoreRule(root, packageDirs, baseConfigFile),
    onChange: (change) => onAnyChange(change.path),
    poll,
    pollIntervalMs: POLL_INTERVAL_MS,
    logger,
  });
  const watchdog = startWatchdog();
  const members = new Map<string, Member>();
  const failed = new Set<string>();
  const batchers = new Map<string, Batcher>();
  const listeners = new Set<(event: PackageEvent) => void>();
  const emit = (event: PackageEvent): void => {
    for (const listener of listeners) listener(event);
  };
  let closed = false;

  // In dependency order, so each package's first build waits for those it depends on.
  for (const group of graph.startOrder(configs.keys())) {
    for (const name of group) members.set(name, startMember(byName.get(name)!, configs.get(name)!));
  }
  shared.start();

  function startMember(pkg: WorkspacePackage, config: ResolvedConfig): Member {
    const label = labels.get(pkg.name)!;
    const memberLogger = createLogger({ level: options.level, color: options.color, label });
    const dependencies = pkg.dependsOn.map((name) => members.get(name)?.app.ready.catch(() => undefined));
    const app = startHot({
      config,
      logger: memberLogger,
      color: options.color,
      cwd: root,
      reloadConfig: () => loadOne(pkg),
      createWatcher: (watcherOptions) => shared.view(watcherOptions),
      programOutput: { stdout: createLinePrefixer(label, options.json ? process.stderr : process.stdout), stderr: createLinePrefixer(label, process.stderr) },
      announceWatching: false,
      startAfter: Promise.all(dependencies),
      watchdog,
      ...(options.programStdin ? { programStdin: options.programStdin } : {}),
      onCycle: (report) => onCycle(pkg.name, report),
    });
    app.ready.catch((error: unknown) => {
      failed.add(pkg.name);
      if (!isHotError(error)) {
        memberLogger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' });
      } else {
        memberLogger.error(error.message, error.hint ? { hint: error.hint } : undefined);
      }
      memberLogger.warn(`${pkg.name} is stopped; the other packages keep running`);
      void app.close();
    });
    app.on('*', (event) => emit({ ...event, package: pkg.name }));
    return { pkg, app, logger: memberLogger };
  }

  function onCycle(name: string, report: CycleReport): void {
    if (options.level === 'debug') logger.debug(`status: ${[...members].map(([other, member]) => `${other} ${member.app.status()}`).join(' · ')}`);
    // Only a change to the package's own files is passed on: a restart request or a config edit
    // reaches every package by itself, and a rebuild passed on from a dependency is part of its wave.
    if (report.own && report.trigger === 'changes' && report.outcome === 'built') void passOn(name, report.paths);
  }

  /**
   * Rebuilds the packages that depend on `name`, one dependency level after the other. A package
   * whose build fails stops the wave for the packages that depend on it.
   */
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
          members.get(dependent)?.logger.warn(`not rebuilt: ${blockedBy} failed to build`);
        } else if (member && !failed.has(dependent)) {
          next.push(member);
        }
      }
      const outcomes = await Promise.all(next.map(async (member) => [member.pkg.name, await member.app.rebuild(paths, reason)] as const));
      for (const [dependent, outcome] of outcomes) if (outcome === 'build-failed') broken.add(dependent);
    }
  }

  /**
   * Changes in a package without a pipeline (a library without its own .hotrc.toml) go straight to
   * its dependents; a file another package bundles without declaring the dependency rebuilds it.
   */
  function onAnyChange(file: string): void {
    if (closed) return;
    if (file === baseConfigFile) {
      later('root-config', file, () => void inDependencyOrder((member) => member.app.reloadConfig(file)));
      return;
    }
    const owner = ownerOf(file);
    if (owner && !members.has(owner.name)) later(`wave:${owner.name}`, file, (paths) => void passOn(owner.name, paths));
    const reached = owner ? new Set(graph.dependentsInOrder(owner.name).flat()) : new Set<string>();
    for (const [name, member] of members) {
      if (name === owner?.name || reached.has(name) || !member.app.isBuildInput(file)) continue;
      later(`direct:${name}`, file, (paths) => void member.app.rebuild(paths, `${formatPaths(paths, root)} changed`));
    }
  }

  /**
   * Something for every package, one dependency level after the other, so a library is rebuilt
   * before the packages that load it restart (a restart request, a root config change).
   */
  async function inDependencyOrder(act: (member: Member) => Promise<void>): Promise<void> {
    for (const group of graph.startOrder(members.keys())) {
      if (closed) return;
      await Promise.all(group.map((name) => members.get(name)!).filter((member) => !failed.has(member.pkg.name)).map(act));
    }
  }

  /** Collects changes for one destination the way a package's own batcher does. */
  function later(key: string, file: string, act: (paths: string[]) => void): void {
    let batcher = batchers.get(key);
    if (!batcher) {
      batcher = createBatcher(DEFAULT_DELAY_MS, (batch) => act(batch.paths));
      batchers.set(key, batcher);
    }
    batcher.add(file);
  }

  function ownerOf(file: string): WorkspacePackage | undefined {
    let best: WorkspacePackage | undefined;
    for (const pkg of workspace.packages) {
      if (isInside(pkg.dir, file) && (!best || pkg.dir.length > best.dir.length)) best = pkg;
    }
    return best;
  }

  const watching = shared.ready.then(() => {
    if (closed) return;
    const names = [...members.keys()].sort();
    const polling = poll ? `, polling every ${POLL_INTERVAL_MS} ms` : '';
    emit({ type: 'watching', files: shared.watchedFileCount(), polling: poll });
    const shown = names.length > MAX_NAMES_SHOWN ? `${names.slice(0, MAX_NAMES_SHOWN).join(', ')} and ${names.length - MAX_NAMES_SHOWN} more` : names.join(', ');
    logger.info(`watching ${names.length} package${names.length === 1 ? '' : 's'}: ${shown} (${shared.watchedFileCount()} files${polling})`);
  });
  const ready = Promise.allSettled([...members.values()].map((member) => member.app.ready)).then(async (results) => {
    await watching;
    if (results.every((result) => result.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
  });

  let closing: Promise<void> | undefined;
  return {
    ready,
    restart(reason) {
      return inDependencyOrder((member) => member.app.restart(reason));
    },
    build(reason) {
      return inDependencyOrder((member) => member.app.build(reason));
    },
    pause() {
      for (const member of members.values()) member.app.pause();
    },
    resume() {
      for (const member of members.values()) member.app.resume();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        for (const batcher of batchers.values()) batcher.close();
        await Promise.allSettled([...members.values()].map((member) => member.app.close()));
        await shared.close();
        watchdog.close();
        emit({ type: 'stopped' });
      })();
      return closing;
    },
    kill() {
      for (const member of members.values()) member.app.kill();
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
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

/**
 * What the shared watcher never walks: dependencies, VCS data and what the root .gitignore ignores,
 * and everything that is neither inside one of `packageDirs` nor on the way to one.
 */
function repositoryIgnoreRule(root: string, packageDirs: readonly string[], baseConfigFile: string | null): (file: string, isDirectory?: boolean) => boolean {
  const filter = createPathFilter({
    root,
    include: [],
    exclude: DEFAULT_EXCLUDE,
    gitignoreRules: loadGitignoreRules(root),
    outputs: [],
    alwaysWatch: baseConfigFile ? [baseConfigFile] : [],
  });
  const inside = new Set(packageDirs);
  const leading = new Set(packageDirs.flatMap((dir) => ancestorsWithin(root, dir)));
  const isInPackage = (file: string): boolean => {
    for (let dir = file; dir.length >= root.length; dir = path.dirname(dir)) {
      if (inside.has(dir)) return true;
      if (path.dirname(dir) === dir) break;
    }
    return false;
  };
  return (file, isDirectory) => filter.isIgnored(file, isDirectory) || (file !== baseConfigFile && !leading.has(file) && !isInPackage(file));
}

/** `dir` and every directory between it and `root`, `root` included. */
function ancestorsWithin(root: string, dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; current.length >= root.length; current = path.dirname(current)) {
    found.push(current);
    if (current === root || path.dirname(current) === current) break;
  }
  return found;
}
