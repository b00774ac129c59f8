import { existsSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, POLL_INTERVAL_MS, type CliOverrides, type ResolvedConfig } from '../config/schema.js';
import { isHotError } from '../errors.js';
import type { PackageEvent } from '../events.js';
import { createHandoff } from '../handoff/generations.js';
import { withProgramIO, type HotControls } from '../hot.js';
import { createPipeline, type Pipeline } from '../pipeline/pipeline.js';
import { spawnChild } from '../supervise/child.js';
import { startWatchdog, watchedSpawn, type Watchdog } from '../supervise/watchdog.js';
import { formatPaths } from '../ui/format.js';
import { createLogger, type Logger, type LogLevel } from '../ui/logger.js';
import { createLinePrefixer } from '../ui/prefix.js';
import { createReport, describeWorkspaceWatching } from '../ui/report.js';
import { createRouter, type Router, type Subscription, type SubscriptionSpec } from '../watch/router.js';
import { loadPackageConfig } from './package-config.js';
import type { Workspace, WorkspacePackage } from './packages.js';
import { isInsideAny, PACKAGE_FILES, workspaceDeclarations } from './repository-ignore.js';
import { plan, type Plan } from './plan.js';
import { loadWorkspace } from './packages.js';

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

export interface HotMonorepo extends HotControls {
  /** Every event of every package (with its name), and the monorepo's own `watching` and `stopped`. */
  onEvent(listener: (event: PackageEvent) => void): () => void;
}

export interface Member {
  pkg: WorkspacePackage;
  /** The first cycles of the packages it depends on (those created before it: a cycle waits for none). */
  after: Promise<unknown>;
  pipeline: Pipeline;
  logger: Logger;
  failed: boolean;
}

export function createWorkspaceHot(options: MonorepoOptions): HotMonorepo {
  return new WorkspaceHot(options);
}

/**
 * `hot dev` at a workspace root: N pipelines on one router. A package's successful build becomes an
 * `upstream` input of the packages that depend on it, one dependency level after the other; all
 * else (build, backoff, breaker) stays per package.
 */
class WorkspaceHot implements HotMonorepo {
  readonly ready: Promise<void>;
  #options: MonorepoOptions;
  readonly #root: string;
  #plan: Plan;
  readonly #router: Router;
  #repository: Subscription | null = null;
  #replanning: Promise<void> = Promise.resolve();
  readonly #watchdog: Watchdog;
  readonly #members = new Map<string, Member>();
  #running: Set<string>;
  readonly #listeners = new Set<(event: PackageEvent) => void>();
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: MonorepoOptions) {
    this.#options = options;
    this.#watchdog = startWatchdog(options.logger);
    this.#root = options.workspace.root;
    this.#plan = plan(options);
    this.#router = createRouter({
      root: this.#root,
      // The plan changes when packages come and go: the rule is always the current plan's.
      isIgnored: (file, isDirectory) => this.#plan.repositoryRule(file, isDirectory),
      poll: this.#plan.poll,
      pollIntervalMs: POLL_INTERVAL_MS,
      onPolling: (files) => options.logger.info(`watching ${files} files by polling every ${POLL_INTERVAL_MS} ms`),
      logger: options.logger,
    });
    for (const group of this.#plan.graph.startOrder(this.#plan.configs.keys())) {
      for (const name of group) this.#members.set(name, this.#createMember(this.#plan.byName.get(name)!, this.#plan.configs.get(name)!));
    }
    this.#running = new Set([...this.#members.values()].map((member) => member.pkg.dir));
    this.#subscribeRepository();
    this.#router.start();
    const started = [...this.#members.values()].map((member) => this.#startMember(member));
    const watching = this.#router.ready.then(() => this.#announceWatching());
    this.ready = Promise.allSettled(started).then(async (results) => {
      await watching;
      if (results.every((result) => result.status === 'rejected')) throw (results[0] as PromiseRejectedResult).reason;
    });
  }

  restart(reason: string): Promise<void> {
    return this.#inDependencyOrder((member) => member.pipeline.request({ type: 'manual', rebuildOnly: false, reason }));
  }

  build(reason: string): Promise<void> {
    return this.#inDependencyOrder((member) => member.pipeline.request({ type: 'manual', rebuildOnly: true, reason }));
  }

  pause(): void {
    for (const member of this.#members.values()) member.pipeline.send({ type: 'pause' });
  }

  resume(): void {
    for (const member of this.#members.values()) member.pipeline.send({ type: 'resume' });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      // A re-read of the workspace in flight ends first, so that the packages it started are closed too.
      await this.#replanning;
      await Promise.allSettled([...this.#members.values()].map((member) => member.pipeline.close()));
      await this.#router.close();
      this.#watchdog.close();
      this.#emit({ type: 'stopped' });
    })();
    return this.#closing;
  }

  kill(): void {
    for (const member of this.#members.values()) member.pipeline.kill();
  }

  onEvent(listener: (event: PackageEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: PackageEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #announceWatching(): void {
    if (this.#closed) return;
    const files = this.#router.watchedFileCount();
    this.#emit({ type: 'watching', files, polling: this.#router.polling, root: this.#root, build: `${this.#members.size} packages` });
    this.#options.logger.info(describeWorkspaceWatching([...this.#members.keys()].sort(), files, this.#router.polling));
  }

  #createMember(pkg: WorkspacePackage, config: ResolvedConfig): Member {
    const options = this.#options;
    const label = this.#plan.labels.get(pkg.name)!;
    const logger = createLogger({ level: options.level, color: options.color, label });
    const output = { stdout: createLinePrefixer(label, options.json ? process.stderr : process.stdout), stderr: createLinePrefixer(label, process.stderr) };
    const spawn = withProgramIO(watchedSpawn(spawnChild, this.#watchdog), output, options.programStdin);
    const reloadConfig = (): ResolvedConfig => loadPackageConfig(options.workspace, pkg, options.overrides);
    const pipeline = createPipeline({ config, cwd: this.#root, logger, router: this.#router, spawn, handoff: createHandoff(config.serve), reloadConfig, color: options.color });
    pipeline.on(createReport(logger, this.#root));
    pipeline.on((event) => {
      if (event.type !== 'watching') this.#emit({ ...event, package: pkg.name });
    });
    pipeline.onCycle((report) => {
      if (options.level === 'debug') options.logger.debug(`status: ${[...this.#members].map(([other, member]) => `${other} ${member.pipeline.status()}`).join(' · ')}`);
      // Only a change to the package's own files is passed on: a restart request or a config edit
      // reaches every package by itself, and a rebuild passed on from a dependency is part of its wave.
      if (report.own && report.trigger === 'changes' && report.outcome === 'built') void this.#passOn(pkg.name, report.paths);
    });
    // The first cycles of the packages it depends on that exist already: in a cycle, one waits for none.
    const after = Promise.all(pkg.dependsOn.map((name) => this.#members.get(name)?.pipeline.firstCycle));
    return { pkg, after, pipeline, logger, failed: false };
  }

  /** Each package starts once the packages it depends on have finished their first cycle. */
  async #startMember(member: Member): Promise<void> {
    await member.after;
    if (this.#closed) return;
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
  async #passOn(name: string, paths: readonly string[]): Promise<void> {
    const reason = `${name} changed (${formatPaths(paths, this.#root)})`;
    const broken = new Set<string>();
    for (const group of this.#plan.graph.dependentsInOrder(name)) {
      if (this.#closed) return;
      const next: Member[] = [];
      for (const dependent of group) {
        const member = this.#members.get(dependent);
        const blockedBy = this.#plan.byName.get(dependent)!.dependsOn.find((dep) => broken.has(dep));
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
  async #inDependencyOrder(act: (member: Member) => Promise<unknown>): Promise<void> {
    for (const group of this.#plan.graph.startOrder(this.#members.keys())) {
      if (this.#closed) return;
      await Promise.all(group.map((name) => this.#members.get(name)!).filter((member) => !member.failed).map(act));
    }
  }

  #ownerOf(file: string): WorkspacePackage | undefined {
    let best: WorkspacePackage | undefined;
    for (const pkg of this.#options.workspace.packages) {
      if ((file === pkg.dir || file.startsWith(pkg.dir + path.sep)) && (!best || pkg.dir.length > best.dir.length)) best = pkg;
    }
    return best;
  }

  /** Packages that bundle `file` although it belongs to a package they do not depend on. */
  #directConsumers(file: string, owner: WorkspacePackage | undefined): Member[] {
    const reached = owner ? new Set([owner.name, ...this.#plan.graph.dependentsInOrder(owner.name).flat()]) : new Set<string>();
    return [...this.#members.values()].filter((member) => !reached.has(member.pkg.name) && !member.failed && member.pipeline.isBuildInput(file));
  }

  /**
   * The repository's own subscription, batched like a package's: the root config (reloads every
   * package in dependency order), packages without a pipeline (a library: its dependents rebuild),
   * and files another package bundles without declaring the dependency.
   */
  #subscribeRepository(): void {
    this.#repository = this.#router.subscribe(this.#repositorySpec());
  }

  #repositorySpec(): SubscriptionSpec {
    const { baseConfigFile, repositoryRule, configs } = this.#plan;
    const declarations = workspaceDeclarations(this.#root);
    const wants = (file: string): boolean => {
      if (file === baseConfigFile || this.#declaresPackages(file, declarations)) return true;
      const owner = this.#ownerOf(file);
      return (owner !== undefined && !this.#members.has(owner.name)) || this.#directConsumers(file, owner).length > 0;
    };
    return {
      root: this.#root,
      extraPaths: [...(baseConfigFile ? [baseConfigFile] : []), ...declarations],
      // Inside a running package, its own subscription decides what is walked; the files saying
      // that a package is there are the repository's too (a package removed stops).
      isIgnored: (file, isDirectory) =>
        repositoryRule(file, isDirectory) || (isInsideAny(this.#running, this.#root, file) && !this.#running.has(file) && !(isDirectory !== true && this.#isPackageFile(file))),
      accept: (change) => !this.#closed && wants(change.path),
      // The packages' own quiet period: the shortest any of them asks for.
      delayMs: Math.min(...[...configs.values()].map((config) => config.watch.delayMs)),
      onBatch: (batch) => this.#route(batch.paths),
    };
  }

  /** A package.json, .hotrc.toml or .gitignore directly in a running package's directory. */
  #isPackageFile(file: string): boolean {
    return PACKAGE_FILES.has(path.basename(file)) && this.#running.has(path.dirname(file));
  }

  /**
   * The root's package.json, pnpm-workspace.yaml or .gitignore, or a package.json, .hotrc.toml or
   * .gitignore that appears, goes or changes in a package's place. A running package's .hotrc.toml is its pipeline's to
   * reload, unless it is gone: the package then stops.
   */
  #declaresPackages(file: string, declarations: readonly string[]): boolean {
    if (declarations.includes(file)) return true;
    const name = path.basename(file);
    if (!PACKAGE_FILES.has(name)) return false;
    // The repository's own rule (what it never walks) follows the .gitignore files too.
    if (name === '.gitignore') return true;
    const known = this.#options.workspace.packages.find((pkg) => pkg.dir === path.dirname(file));
    if (known === undefined || name === 'package.json' || !this.#members.has(known.name)) return true;
    return !existsSync(file);
  }

  /**
   * Packages came or went (a package.json or .hotrc.toml in a package's place, the root's
   * workspace declaration): the workspace is read again; new packages start, packages gone (or no
   * longer with a config) stop, the others keep running untouched. A workspace that no longer
   * reads keeps the running packages as they are.
   */
  async #replan(): Promise<void> {
    if (this.#closed) return;
    const { logger } = this.#options;
    let next: Plan;
    let workspace;
    try {
      workspace = loadWorkspace(this.#root, { tolerateBrokenManifest: false });
      if (!workspace) return;
      next = plan({ ...this.#options, workspace });
    } catch (error) {
      if (!isHotError(error)) throw error;
      logger.error(`the workspace changed, and hot keeps the packages it runs: ${error.message}`, error.hint ? { hint: error.hint } : undefined);
      return;
    }
    const gone = [...this.#members.values()].filter((member) => !next.configs.has(member.pkg.name));
    const added = [...next.configs.keys()].filter((name) => !this.#members.has(name));
    this.#options = { ...this.#options, workspace };
    this.#plan = next;
    for (const member of gone) {
      this.#members.delete(member.pkg.name);
      logger.info(`${member.pkg.name} is no longer a package with a ${CONFIG_FILE_NAME} here: stopping it`);
    }
    await Promise.allSettled(gone.map((member) => member.pipeline.close()));
    if (this.#closed) return;
    const fresh: Member[] = [];
    for (const group of next.graph.startOrder(added)) {
      for (const name of group) {
        const pkg = next.byName.get(name)!;
        logger.info(`new package ${name} (${path.relative(this.#root, pkg.dir)}): starting it`);
        const member = this.#createMember(pkg, next.configs.get(name)!);
        this.#members.set(name, member);
        fresh.push(member);
      }
    }
    this.#running = new Set([...this.#members.values()].map((member) => member.pkg.dir));
    // The repository's rule changed with the plan: the watcher walks by the new one.
    await this.#repository?.update(this.#repositorySpec());
    // Not awaited: close() must not wait for a new package's first cycle.
    for (const member of fresh) void this.#startMember(member).catch(() => undefined);
  }

  #route(paths: readonly string[]): void {
    if (this.#closed) return;
    const declarations = workspaceDeclarations(this.#root);
    if (paths.some((file) => this.#declaresPackages(file, declarations))) {
      this.#replanning = this.#replanning
        .then(() => this.#replan())
        .catch((error: unknown) => this.#options.logger.error(`internal error: ${(error as Error).stack ?? String(error)}`, { hint: 'please report this as a bug' }));
    }
    const { baseConfigFile } = this.#plan;
    if (baseConfigFile && paths.includes(baseConfigFile)) {
      void this.#inDependencyOrder((member) => member.pipeline.request({ type: 'config-changed', file: baseConfigFile }));
    }
    const byOwner = new Map<string, string[]>();
    const direct = new Map<Member, string[]>();
    for (const file of paths) {
      if (file === baseConfigFile) continue;
      const owner = this.#ownerOf(file);
      if (owner && !this.#members.has(owner.name)) byOwner.set(owner.name, [...(byOwner.get(owner.name) ?? []), file]);
      for (const member of this.#directConsumers(file, owner)) direct.set(member, [...(direct.get(member) ?? []), file]);
    }
    for (const [owner, files] of byOwner) void this.#passOn(owner, files);
    for (const [member, files] of direct) void member.pipeline.request({ type: 'upstream', paths: files, reason: `${formatPaths(files, this.#root)} changed` });
  }
}
