import { describeCommand } from '../config/command-line.js';
import { POLL_INTERVAL_MS, type ResolvedConfig, type ResolvedServe } from '../config/schema.js';
import type { HotEvent, StartFailure, TypeDiagnostic } from '../events.js';
import { describeExitStatus, formatDuration, formatPaths, printable, relativeTo } from './format.js';
import type { Logger } from './logger.js';

/**
 * Every line hot prints about an app is rendered here from a HotEvent: the terminal, `--json` and
 * live reload are three subscribers of one stream. All message text lives in this file. Names in it
 * (files, packages, commands, reasons built from them) are made `printable` here or in format.ts.
 */

/** The cycle as the policy knows it, for the words of a start line. */
export interface CycleWords {
  trigger: 'retry' | 'start' | 'changes' | 'manual' | 'config-changed';
  paths: readonly string[];
  reason: string | null;
}

/** `src/version.ts changed`, `restart requested`, `.hotrc.toml changed`. */
export function describeTrigger(cycle: CycleWords, config: ResolvedConfig, cwd: string): string {
  switch (cycle.trigger) {
    case 'changes':
      return cycle.reason !== null ? printable(cycle.reason) : `${formatPaths(cycle.paths, cwd)} changed`;
    case 'config-changed': {
      // A file that appeared (a first .env or .hotrc.toml) is no longer "appearing" in the config it made.
      const file = cycle.paths.find((path) => path === config.configFile || path === config.baseConfigFile || config.watch.appearing.includes(path)) ?? config.configFile ?? cycle.paths[0] ?? '';
      return `${relativeTo(file, cwd)} changed`;
    }
    case 'manual':
      return cycle.reason !== null ? printable(cycle.reason) : 'restart requested';
    case 'start':
    case 'retry':
      return cycle.trigger;
  }
}

/** The headline of a start line: `started src/server.ts on http://localhost:3000`, `restarting: a.ts changed`. */
export function describeCycle(cycle: CycleWords, config: ResolvedConfig, cwd: string, publicUrl: string | null): string {
  if (config.run.command === null) return cycle.trigger === 'start' ? 'built' : `${describeTrigger(cycle, config, cwd)}, rebuilt`;
  if (cycle.trigger === 'start') return `started ${programLabel(config, cwd)}${publicUrl ? ` on ${publicUrl}` : ''}`;
  if (cycle.trigger === 'retry') return 'restarting after crash';
  return `restarting: ${describeTrigger(cycle, config, cwd)}`;
}

/** The entry file when hot runs its esbuild build's entry or bundle (node, a loader, a path), else the command. */
export function programLabel(config: ResolvedConfig, cwd: string): string {
  const { build, run } = config;
  if (!run.command) return 'nothing';
  if (build.kind === 'esbuild' && run.command.kind === 'argv' && run.command.argv.includes(build.outfile ?? build.entry)) return relativeTo(build.entry, cwd);
  return printable(describeCommand(run.command));
}

export function describeStartFailure(failure: StartFailure, serve: ResolvedServe): string {
  switch (failure.cause) {
    case 'spawn':
      return printable(failure.error.message);
    case 'exited':
      return `it exited before it was ready (${failure.signal ? `killed by ${failure.signal}` : `code ${failure.code}`})`;
    case 'timeout': {
      const what =
        serve.strategy === 'socket' ? 'did not listen on its PORT (nor say it was ready)' : serve.strategy === 'hold' ? 'did not listen on every port the running version listens on' : 'did not listen on its PORT';
      return `it ${what} within ${failure.timeoutMs} ms, so hot stopped it`;
    }
  }
}

export const UNAVAILABLE_AFTER_CLEAN_EXIT = 'the app exited (code 0) and hot is waiting for a change to start it again';

export function unavailableAfterBuildFailure(diagnostics: string): string {
  return `the build failed:\n\n${stripAnsi(diagnostics)}`;
}

export function unavailableAfterCrashes(crashes: number, windowMs: number, exit: { code: number | null; signal: string | null }): string {
  return `the app crashed ${crashes} times in ${formatDuration(windowMs)} (it ${exitStatus(exit.code, exit.signal)}); see the terminal for its output`;
}

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** A start that timed out has no exit status of its own: it never became ready. */
function exitStatus(code: number | null, signal: string | null): string {
  return code === null && signal === null ? 'failed to start' : describeExitStatus(code, signal);
}

/** `watching 3 packages: api, lib, web (120 files, polling every 300 ms)`. */
export function describeWorkspaceWatching(names: readonly string[], files: number, polling: boolean, maxShown = 8): string {
  const printed = names.map(printable);
  const shown = printed.length > maxShown ? `${printed.slice(0, maxShown).join(', ')} and ${printed.length - maxShown} more` : printed.join(', ');
  return `watching ${names.length} package${names.length === 1 ? '' : 's'}: ${shown} (${files} files${polling ? `, polling every ${POLL_INTERVAL_MS} ms` : ''})`;
}

const LOOP_WORDS = {
  build: { when: 'again during the build', who: 'the build seems', hint: () => 'exclude the build output (set build.output, or add it to exclude)' },
  hook: { when: 'while a hook ran', who: 'a hook seems', hint: (them: string) => `have the hook write outside the watched tree, or add ${them} to exclude` },
  program: { when: 'right after the app started', who: 'the app seems', hint: (them: string) => `add ${them} to exclude, or have the app write outside the watched tree` },
} as const;

type ReadyEvent = Extract<HotEvent, { type: 'ready' }>;
type HoldingEvent = Extract<HotEvent, { type: 'holding' }>;

/**
 * Writes the terminal line (if any) for each event. A program started in place is said to be
 * started at once, and ready when it listens: on the line of the sockets hot holds from that listen
 * when there is one (it comes right after), else on a line of its own.
 */
export function createReport(logger: Logger, cwd: string): (event: HotEvent) => void {
  const build = { failed: false };
  const write = reportLine(logger, cwd, build);
  let listened: { readyMs: number } | null = null;
  return (event) => {
    build.failed = buildFailedAfter(event, build.failed);
    if (listened && event.type === 'holding') {
      const ready = `ready in ${formatDuration(listened.readyMs)}`;
      listened = null;
      return writeHolding(logger, event, ready);
    }
    if (event.type === 'listening') {
      // What hot holds from this listen is said one turn later (held sockets batch their line).
      const waiting = (listened = { readyMs: event.readyMs });
      setImmediate(() =>
        setImmediate(() => {
          if (listened !== waiting) return;
          listened = null;
          logger.info(`the app listens: ready in ${formatDuration(waiting.readyMs)}`);
        }),
      );
      return;
    }
    write(event);
  };
}

/** `started src/server.ts (built in 36 ms, ready in 12 ms, pid 4242)`; no "ready in" while the listen is awaited. */
function writeReady(logger: Logger, event: ReadyEvent): void {
  const details = [event.buildMs !== null ? `built in ${formatDuration(event.buildMs)}` : null, event.listenPending ? null : `ready in ${formatDuration(event.readyMs)}`, `pid ${event.pid}`];
  logger.success(`${printable(event.reason)} (${details.filter(Boolean).join(', ')})`);
}

function writeHolding(logger: Logger, event: HoldingEvent, ready: string | null): void {
  const lead = ready ? `${ready}; ` : '';
  if (event.proxied) {
    return logger.info(`${lead}serving ${event.addresses.map(printable).join(', ')} through hot's proxy with live reload, the app behind it on a private port: restarts switch to the new version without refusing a request`);
  }
  const them = event.addresses.length === 1 ? 'it' : 'them';
  logger.info(`${lead}holding ${event.addresses.map(printable).join(', ')} for the app: restarts hand ${them} to the new version without refusing a connection`);
}

/** `build.failed`: the last build failed on its own errors, so no version runs the code the type checker saw. */
function reportLine(logger: Logger, cwd: string, build: { readonly failed: boolean }): (event: HotEvent) => void {
  const rel = (file: string): string => relativeTo(file, cwd);
  return (event) => {
    switch (event.type) {
      case 'watching':
        return logger.info(`watching ${rel(event.root)} (${event.files} files${event.polling ? `, polling every ${POLL_INTERVAL_MS} ms` : ''}; build: ${printable(event.build)})`);
      case 'change':
      case 'build-ok':
      case 'stopped':
        return;
      case 'build-start':
        return logger.debug(`building${event.build ? ` (${printable(event.build)})` : ''}`);
      case 'build-superseded':
        return logger.debug(`more changes arrived during the build (${formatDuration(event.durationMs)}): building again with them`);
      case 'build-failed': {
        const took = formatDuration(event.durationMs);
        const next = { stopped: 'stopping the app (stop_on_error), waiting for changes', kept: 'keeping the previous process running', none: 'waiting for changes' }[event.previous];
        // The errors themselves were printed by types-failed when they changed.
        if (event.cause === 'types') return logger.error(`type errors (above) hold the restart (in ${took}), ${next}`);
        logger.error(`build failed in ${took}, ${next}`);
        return logger.block(event.diagnostics);
      }
      case 'types-failed':
        return writeTypeErrors(logger, cwd, event, build.failed);
      case 'types-ok':
        if (event.fixed === 0) return logger.debug('types ok (tsc)');
        return logger.success(`types ok: ${event.fixed === 1 ? 'the type error is' : `all ${event.fixed} type errors are`} fixed`);
      case 'types-unavailable':
        return logger.warn(`type check off: ${printable(event.reason)}`, hintOf(event));
      case 'spawn':
        return logger.debug(event.warm ? `woke the warm standby, pid ${event.pid}` : `spawned pid ${event.pid}`);
      case 'standby':
        if (event.state === 'ready') return logger.debug(`warm standby ready (pid ${event.pid}): ${printable(event.detail)}`);
        return logger.debug(`warm standby ${event.state === 'lost' ? 'lost' : 'dropped'} (pid ${event.pid}): ${printable(event.detail)}; ${event.replaced ? 'a new one starts' : 'the next restart is a cold start'}`);
      case 'ready':
        return writeReady(logger, event);
      case 'listening':
        return;
      case 'built':
        return logger.success(`${printable(event.reason)} (in ${formatDuration(event.durationMs)})`);
      case 'restart-skipped':
        return reportSkipped(logger, event, cwd);
      case 'start-failed':
        return reportStartFailed(logger, event);
      case 'exit':
        if (event.requested) logger.debug(`app (pid ${event.pid}) stopped: ${describeExitStatus(event.code, event.signal)}`);
        return;
      case 'clean-exit':
        if (event.restartInMs !== undefined) return logger.info(`app exited cleanly, starting it again in ${formatDuration(event.restartInMs)} (on_clean_exit = "restart")`);
        return logger.info('app exited cleanly, waiting for changes', event.hint ? { hint: event.hint } : undefined);
      case 'crash':
        return logger.warn(`app ${exitStatus(event.code, event.signal)}, restarting in ${formatDuration(event.delayMs)} (${event.attempt}/${event.maxRestarts})`, notFoundHint(event.code));
      case 'circuit-open':
        return logger.error(`app ${exitStatus(event.code, event.signal)}: it crashed ${event.crashes} times in ${formatDuration(event.windowMs)}, waiting for changes`, notFoundHint(event.code));
      case 'force-killed':
        return logger.warn(`app (pid ${event.pid}) did not stop within ${formatDuration(event.afterMs)} of ${event.signal}: killed it with SIGKILL`);
      case 'stuck':
        return logger.error(`app (pid ${event.pid}) is still not gone after SIGKILL (stuck in the kernel?): going on without it`);
      case 'env-file-problem':
        return logger.warn(`cannot read env file ${rel(event.file)} (${printable(event.reason)}), starting without it`);
      case 'holding':
        return writeHolding(logger, event, null);
      case 'ready-assumed':
        return reportReadyAssumed(logger, event);
      case 'released':
        return logger.info(`no longer holding ${event.addresses.map(printable).join(', ')}: the new version does not listen there`);
      case 'port-taken': {
        if (event.heldAs !== undefined) {
          return logger.error(`the app cannot listen on port ${event.port} at another address: hot holds ${printable(event.heldAs)} for it since its first listen`, {
            hint: 'stop hot and start it again to listen at another address',
          });
        }
        const who = event.owner ? ` by pid ${event.owner.pid}${event.owner.command ? ` (${printable(event.owner.command)})` : ''}` : ' by another process';
        return logger.error(`the app cannot listen on port ${event.port}: it is already in use${who}`, { hint: 'stop that process, or have the app listen on another port' });
      }
      case 'hook-failed':
        return logger.warn(`hooks.${event.hook} (${printable(event.command)}) ${printable(event.failure)}${event.hook === 'post_build' ? '; going on with the restart' : ''}`);
      case 'written-by-program':
        return logger.info(`${rel(event.path)} is written by the app itself (it holds it open): not a reason to restart`, { hint: 'add it to exclude to stop watching it' });
      case 'config-reloaded':
        if (event.serveIgnored) logger.warn('[serve] changes take effect when hot is started again');
        return;
      case 'config-error':
        logger.error(event.message, hintOf(event));
        return logger.warn('config not applied: still running with the previous one');
    }
  };
}

/** Whether the last build failed on its own errors (not held by tsc's) once `event` is known; `failed`: before it. */
export function buildFailedAfter(event: HotEvent, failed: boolean): boolean {
  if (event.type === 'build-ok') return false;
  if (event.type === 'build-failed') return event.cause !== 'types';
  return failed;
}

/**
 * tsc's errors under one heading. `buildFailed`: the last build failed on its own errors (a syntax
 * error both see), so the previous version runs, not this code, and "regardless" would mislead.
 */
export function writeTypeErrors(logger: Logger, cwd: string, event: Extract<HotEvent, { type: 'types-failed' }>, buildFailed: boolean): void {
  logger.error(`${describeTypeErrorCount(event.errors)} (tsc)${event.blocking || buildFailed ? '' : ', the app runs regardless'}:`);
  logger.block(formatTypeErrors(event.errors, cwd));
}

/** `2 type errors in src/a.ts`, `5 type errors in 3 files`. */
function describeTypeErrorCount(errors: readonly TypeDiagnostic[]): string {
  const files = new Set(errors.map((error) => error.file ?? 'tsconfig'));
  return `${errors.length} type error${errors.length === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'}`;
}

/** At most this many type errors are listed; the rest are counted. */
export const MAX_TYPE_ERRORS_SHOWN = 20;

/**
 * tsc's errors as one compact block, each `src/a.ts:13:28 - error TS2322: …` relative to `cwd` (the
 * terminal, the overlay and a build held by "block" show the same text).
 */
export function formatTypeErrors(errors: readonly TypeDiagnostic[], cwd: string): string {
  const lines = errors.slice(0, MAX_TYPE_ERRORS_SHOWN).map((error) => {
    const where = error.file === null ? '' : `${relativeTo(error.file, cwd)}:${error.line}:${error.column} - `;
    const [first, ...more] = error.message.split('\n').map(printable);
    return [`${where}error ${error.code}: ${first}`, ...more.map((line) => `    ${line}`)].join('\n');
  });
  if (errors.length > MAX_TYPE_ERRORS_SHOWN) lines.push(`… and ${errors.length - MAX_TYPE_ERRORS_SHOWN} more`);
  return lines.join('\n');
}

function reportStartFailed(logger: Logger, event: Extract<HotEvent, { type: 'start-failed' }>): void {
  const reason = printable(event.reason);
  const after = event.after ? `restarting: ${printable(event.after)}, but ` : '';
  if (event.oldServing && event.cause === 'spawn') return logger.error(`${after}${reason}; the previous version keeps serving, waiting for changes`, hintOf(event));
  if (event.oldServing) return logger.error(`${after}the new version failed to start: ${reason}. The previous version keeps serving; waiting for changes`);
  if (event.cause === 'spawn') return logger.error(`${reason}, waiting for changes`, hintOf(event));
  return logger.error(`the app failed to start: ${reason}`);
}

function hintOf(event: { hint?: string }): { hint: string } | undefined {
  return event.hint === undefined ? undefined : { hint: printable(event.hint) };
}

function notFoundHint(code: number | null): { hint: string } | undefined {
  return code === 127 ? { hint: 'exit code 127 means the shell could not find the command' } : undefined;
}

function reportSkipped(logger: Logger, event: Extract<HotEvent, { type: 'restart-skipped' }>, cwd: string): void {
  if (event.reason === 'output-unchanged') {
    logger.info(`${event.why ?? 'rebuilt'}, output unchanged (built in ${formatDuration(event.buildMs ?? 0)}): not restarting`);
    return;
  }
  const writer = event.reason === 'build-loop' ? 'build' : event.reason === 'hook-loop' ? 'hook' : 'program';
  const them = event.paths.length === 1 ? 'it' : 'them';
  const { when, who, hint } = LOOP_WORDS[writer];
  logger.error(`${formatPaths(event.paths, cwd)} changed ${when}, for the 3rd time in a row: ${who} to write into watched files. Not rebuilding until something else changes`, {
    hint: hint(them),
  });
}

function reportReadyAssumed(logger: Logger, event: Extract<HotEvent, { type: 'ready-assumed' }>): void {
  const notify = event.notify ? ', or send READY=1 to $NOTIFY_SOCKET (systemd\'s notify protocol)' : '';
  if (event.reason === 'timeout') {
    const awaited = event.pattern !== null ? `a line matching ready_pattern /${printable(event.pattern)}/` : 'that it was ready';
    return logger.warn(`app (pid ${event.pid}) did not say ${awaited} within ${formatDuration(event.afterMs)}: taking it as ready, the previous version stops`, {
      hint: event.pattern !== null ? 'check the pattern against what the program prints (stdout or stderr), or raise serve.ready_timeout' : 'raise serve.ready_timeout for a slow start',
    });
  }
  if (!event.first) return logger.debug(`app (pid ${event.pid}) said nothing about being ready: taken as ready after ${formatDuration(event.afterMs)}`);
  return logger.info(`app (pid ${event.pid}) says nothing when it is ready: hot takes a version as ready once it has run ${formatDuration(event.afterMs)}, then the previous one stops`, {
    hint: `to switch as soon as it listens, print a line and set serve.ready_pattern to match it${notify}`,
  });
}
