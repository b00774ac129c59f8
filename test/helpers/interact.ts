/**
 * The step-wise interaction helper (STYLE §7): a test is a list of steps run in order against one hot
 * process: wait for an output line, wait for an HTTP answer, act (edit a file, press a key, send a
 * signal). Each step has its own generous deadline; a failure names the pending step and shows the
 * full captured output.
 *
 *   await hot.interact(
 *     output(/up 0/), watching(),
 *     act('edit app.mjs', () => project.replace('app.mjs', 'v1', 'v2')),
 *     output(/restarting: app\.mjs changed/), answer(port, /^v2 /),
 *   );
 *
 * Output steps look at what was printed after the mark, which each `act` step moves to the end of
 * the output just before it acts: a line printed before an edit never satisfies a wait that follows
 * the edit.
 */
import type { ExitStatus, HotProcess, Stream } from './hot-process.js';
import { get } from './http.js';
import { STEP_TIMEOUT_MS, waitUntil, type Satisfied } from './wait.js';

export interface Step<T> {
  /** What the step waits for or does, for the failure report. */
  readonly describe: string;
  /** This step's deadline; STEP_TIMEOUT_MS when not given. */
  readonly timeoutMs?: number;
  run(hot: HotProcess, timeoutMs: number): Promise<T>;
}

/** The result of a list of steps: the last step's. */
export type StepResult<S extends Step<unknown>[]> = S extends [...Step<unknown>[], Step<infer T>] ? T : unknown;

interface Deadline {
  timeoutMs?: number;
}

const OUTPUT_OF = {
  both: 'stdout and stderr',
  stdout: 'stdout',
  stderr: 'stderr',
} as const;

/**
 * Waits until `pattern` has matched `count` times (default 1) in what `stream` printed since the
 * mark; gives the last of those matches. Fails at once if hot exits without printing it.
 */
export function output(pattern: RegExp, options: Deadline & { stream?: Stream; count?: number } = {}): Step<RegExpMatchArray> {
  const { stream = 'both', count = 1 } = options;
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return {
    describe: `${count > 1 ? `${count}× ` : ''}${String(pattern)} on ${OUTPUT_OF[stream]}`,
    timeoutMs: options.timeoutMs,
    run: (hot, timeoutMs) =>
      waitUntil(
        `${String(pattern)} matched ${count} time${count === 1 ? '' : 's'}`,
        () => {
          const finished = hot.exitStatus() !== undefined;
          const matches = [...hot.sinceMark(stream).matchAll(global)];
          if (matches.length >= count) return matches[count - 1]!;
          if (finished) throw new Error(`hot exited before it printed that (${matches.length} of ${count} matches)`);
          return undefined;
        },
        { timeoutMs },
      ),
  };
}

/** hot's "watching" line: from then on, every file change is seen. */
export function watching(options: Deadline = {}): Step<RegExpMatchArray> {
  return { ...output(/\[hot\] watching /, options), describe: "hot's watching line" };
}

/**
 * Polls GET `path` on `port` (a fresh connection each time) until the body matches `accept`; gives
 * the body. Refused connections and other answers mean "not yet".
 */
export function answer(port: number, accept: RegExp | ((body: string) => boolean), options: Deadline & { path?: string } = {}): Step<string> {
  const { path = '/' } = options;
  const accepts = typeof accept === 'function' ? accept : (body: string) => accept.test(body);
  let last = '(nothing yet)';
  return {
    describe: `GET 127.0.0.1:${port}${path} answers ${typeof accept === 'function' ? 'as expected' : String(accept)}`,
    timeoutMs: options.timeoutMs,
    run: (_hot, timeoutMs) =>
      waitUntil(
        () => `the answer was accepted; last: ${last}`,
        async () => {
          try {
            const body = await get(port, path);
            if (accepts(body)) return body;
            last = JSON.stringify(body);
          } catch (error) {
            last = (error as Error).message;
          }
          return undefined;
        },
        { timeoutMs },
      ),
  };
}

/** Polls any check (see waitUntil): a file's content, a process being gone, … */
export function until<T>(what: string, check: () => T | Promise<T>, options: Deadline = {}): Step<Satisfied<T>> {
  return { describe: what, timeoutMs: options.timeoutMs, run: (_hot, timeoutMs) => waitUntil(what, check, { timeoutMs }) };
}

/** Moves the mark to the end of the output, then does something (edit a file, press a key, send a signal). */
export function act<T>(what: string, action: (hot: HotProcess) => T | Promise<T>): Step<T> {
  return {
    describe: what,
    run: async (hot) => {
      hot.mark();
      return action(hot);
    },
  };
}

/** Waits until hot has exited and its output is complete; gives its exit code and signal. */
export function exit(options: Deadline = {}): Step<ExitStatus> {
  return { describe: 'hot exits', timeoutMs: options.timeoutMs, run: (hot, timeoutMs) => waitUntil('hot exited', () => hot.exitStatus(), { timeoutMs }) };
}

/** The marker that tells the session a failure already showed hot's output. */
export const OUTPUT_SHOWN = '--- everything hot printed';

/** Runs `steps` in order against `hot`; see the top of this file. */
export async function runSteps(hot: HotProcess, steps: Step<unknown>[]): Promise<unknown> {
  let result: unknown;
  for (const [index, step] of steps.entries()) {
    const timeoutMs = step.timeoutMs ?? STEP_TIMEOUT_MS;
    try {
      result = await step.run(hot, timeoutMs);
    } catch (error) {
      throw new Error(describeFailure(hot, steps, index, error as Error), { cause: error });
    }
  }
  return result;
}

function describeFailure(hot: HotProcess, steps: Step<unknown>[], failed: number, error: Error): string {
  const list = steps.map((step, index) => `  ${index < failed ? '✓' : index === failed ? '✗' : ' '} ${index + 1}. ${step.describe}`);
  const text = hot.output();
  const markLine = text.length - hot.sinceMark().length === 0 ? 1 : text.slice(0, text.length - hot.sinceMark().length).split('\n').length;
  return [
    `step ${failed + 1} of ${steps.length} failed (${steps[failed]!.describe}): ${error.message}`,
    'steps:',
    ...list,
    `${OUTPUT_SHOWN} (stdout and stderr; output steps look from line ${markLine} on) ---`,
    text,
    '--- end ---',
  ].join('\n');
}
