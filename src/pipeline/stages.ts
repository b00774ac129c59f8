import { statSync } from 'node:fs';
import path from 'node:path';
import { createNoBuilder, type Builder } from '../build/builder.js';
import { createCommandBuilder } from '../build/command.js';
import { createEsbuildBuilder } from '../build/esbuild.js';
import { createTypeChecker, type TypeCheckEvent, type TypeChecker } from '../build/type-checker.js';
import { describeCommand } from '../config/command-line.js';
import type { ResolvedConfig } from '../config/schema.js';
import { isHotError } from '../errors.js';
import type { ChangeBatch, ConfigReload, FileChange } from '../events.js';
import type { SpawnChild } from '../supervise/child.js';
import type { Logger } from '../ui/logger.js';
import { createPathFilter, type PathFilter } from '../watch/filter.js';
import { loadGitignoreRules, readNestedGitignore } from '../watch/gitignore.js';
import type { Router, Subscription, SubscriptionSpec } from '../watch/router.js';

/** The stages a pipeline drives and replaces when its config changes: the filter, its subscription, the builder, the type checker. */
export interface Stages {
  readonly config: ResolvedConfig;
  readonly builder: Builder;
  readonly filter: PathFilter;
  readonly checker: TypeChecker;
  /** Starts the type checker, and each one a new config brings. */
  startChecker(): void;
  /** Re-reads the config; replaces what its new settings change. */
  reload(read: () => ResolvedConfig): Promise<ConfigReload>;
  close(): Promise<void>;
}

export interface StagesOptions {
  config: ResolvedConfig;
  router: Router;
  spawn: SpawnChild;
  logger: Logger;
  color: boolean;
  cwd: string;
  /** Per change, before batching (the pipeline's own checks). */
  accept(change: FileChange, stages: Stages): boolean;
  /** Whether a path that stirs may become a change this app takes (no side effects). */
  wants(file: string, stages: Stages): boolean;
  onBatch(batch: ChangeBatch): void;
  /** The subscription is collecting changes (true), or has delivered them (false). */
  onPending(pending: boolean): void;
  /** What the type checker says. */
  onTypeEvent(event: TypeCheckEvent): void;
}

export function createStages(options: StagesOptions): Stages {
  return new PipelineStages(options);
}

class PipelineStages implements Stages {
  readonly #options: StagesOptions;
  #config: ResolvedConfig;
  #builder: Builder;
  #filter: PathFilter;
  #checker: TypeChecker;
  #checkerStarted = false;
  readonly #subscription: Subscription;

  constructor(options: StagesOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#builder = makeBuilder(options.config, options);
    this.#checker = makeChecker(options.config, options);
    this.#filter = makeFilter(options.config);
    this.#subscription = options.router.subscribe(this.#spec());
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  get builder(): Builder {
    return this.#builder;
  }

  get filter(): PathFilter {
    return this.#filter;
  }

  get checker(): TypeChecker {
    return this.#checker;
  }

  startChecker(): void {
    this.#checkerStarted = true;
    this.#checker.start();
  }

  async reload(read: () => ResolvedConfig): Promise<ConfigReload> {
    let next: ResolvedConfig;
    try {
      next = read();
    } catch (error) {
      if (!isHotError(error)) throw error;
      return { type: 'invalid', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    }
    const same = (pick: (c: ResolvedConfig) => unknown): boolean => JSON.stringify(pick(this.#config)) === JSON.stringify(pick(next));
    // A save that changed nothing (or a second event for one save) is not a reason to restart.
    if (same((c) => c)) {
      this.#options.logger.debug('config saved without a change in its settings');
      return { type: 'unchanged' };
    }
    const buildChanged = !same((c) => c.build);
    const watchChanged = !same((c) => c.watch);
    const serveIgnored = !same((c) => c.serve);
    if (buildChanged) {
      let builder: Builder;
      try {
        builder = makeBuilder(next, this.#options);
      } catch (error) {
        // The new build cannot be set up (its cache directory is refused): keep the running config.
        if (!isHotError(error)) throw error;
        return { type: 'invalid', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
      }
      const old = this.#builder;
      this.#builder = builder;
      await old.close();
    }
    if (!same((c) => c.check)) await this.#replaceChecker(next);
    this.#config = next;
    if (watchChanged) {
      this.#filter = makeFilter(next);
      // The new walk is up before the old one goes, so no save falls between them.
      await this.#subscription.update(this.#spec());
    }
    return { type: 'applied', config: next, serveIgnored };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#subscription.close(), this.#builder.close(), this.#checker.close()]);
  }

  /** A .gitignore that changes applies at once: what it now ignores is no longer watched, what it no longer ignores is. */
  #noticeGitignore(change: FileChange): void {
    if (!this.#config.watch.gitignore || path.basename(change.path) !== '.gitignore') return;
    this.#filter = makeFilter(this.#config);
    // Said once the new rules are in effect: a save made after this line is seen by them.
    void this.#subscription.update(this.#spec()).then(() => this.#options.logger.info(`${path.relative(this.#options.cwd, change.path) || change.path} changed: watching by its new rules`));
  }

  async #replaceChecker(next: ResolvedConfig): Promise<void> {
    const old = this.#checker;
    this.#checker = makeChecker(next, this.#options);
    await old.close();
    if (this.#checkerStarted) this.#checker.start();
  }

  #spec(): SubscriptionSpec {
    const config = this.#config;
    return {
      root: config.watch.root,
      // Watched whatever the ignore rules say; env files may be outside the root. A monorepo's root
      // config is the monorepo's to watch: it reloads the packages in dependency order.
      extraPaths: config.watch.alwaysWatch.filter((file) => file !== config.baseConfigFile),
      isIgnored: (file, isDirectory) => this.#filter.isIgnored(file, isDirectory),
      accept: (change) => {
        this.#noticeGitignore(change);
        return this.#options.accept(change, this);
      },
      wants: (file) => this.#options.wants(file, this),
      delayMs: config.watch.delayMs,
      onBatch: this.#options.onBatch,
      onPending: this.#options.onPending,
    };
  }
}

function makeFilter(config: ResolvedConfig): PathFilter {
  const { watch } = config;
  return createPathFilter({ ...watch, gitignoreRules: watch.gitignore ? loadGitignoreRules(watch.root) : null, readNestedGitignore });
}

function makeBuilder(config: ResolvedConfig, options: StagesOptions): Builder {
  const { build } = config;
  switch (build.kind) {
    case 'none':
      return createNoBuilder();
    case 'esbuild':
      return createEsbuildBuilder({ ...build, logger: options.logger, color: options.color, cwd: options.cwd });
    case 'command':
      return createCommandBuilder({ ...build, logger: options.logger, spawn: options.spawn, describe: describeCommand, reportCwd: options.cwd });
  }
}

function makeChecker(config: ResolvedConfig, options: StagesOptions): TypeChecker {
  return createTypeChecker({ check: config.check, cache: config.cache, spawn: options.spawn, onEvent: options.onTypeEvent, logger: options.logger, killTimeoutMs: config.run.killTimeoutMs });
}

/** Program code, as opposed to the data and logs a program writes. */
export const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|py|rb|go|rs|php|java|kt|cs|swift|ex|exs|sh)$/;

/**
 * One look at a changed file, for all the checks on the event path: its mtime (for the loop guard;
 * undefined once deleted) and whether it is a named pipe or socket (1Password mounts .env as a pipe:
 * reading it makes the kernel report a change, so its events are never a reason to rebuild).
 */
export function lookAt(file: string): { modifiedAtMs: number | undefined; special: boolean } {
  try {
    const stats = statSync(file);
    return { modifiedAtMs: stats.mtimeMs, special: !stats.isFile() && !stats.isDirectory() };
  } catch {
    // Deleted since the event: an ordinary deletion, never the build's own output.
    return { modifiedAtMs: undefined, special: false };
  }
}
