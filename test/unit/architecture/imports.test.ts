import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/project.js';

/**
 * The module rules of STYLE.md, enforced on import paths: stages never import each other, leaves
 * import nothing from src/, and nothing imports the CLI.
 */
const SRC = path.join(REPO_ROOT, 'src');
const STAGES = ['watch', 'build', 'supervise', 'handoff'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

/** Area of a file: its top folder under src/, or its own name for top-level files. */
function areaOf(file: string): string {
  const [first, second] = path.relative(SRC, file).split(path.sep);
  return second === undefined ? first!.replace(/\.ts$/, '') : first!;
}

function allowed(from: string, to: string, typeOnly: boolean, target: string, source: string): boolean {
  if (from === to) return true;
  if (to === 'cli') return false;
  // Leaves: events.ts may name config types in its contracts; errors.ts imports nothing.
  if (from === 'events') return to === 'config' && typeOnly;
  if (from === 'errors') return false;
  // The launcher's early start: loaded before the rest of hot, it imports nothing from src/.
  if (from === 'early-start') return false;
  if (to === 'early-start') return from === 'cli' || from === 'hot' || from === 'supervise';
  if (from === 'platform') return to === 'errors';
  if (from === 'config') return to === 'errors';
  if (from === 'listen') return false; // runs inside the user's program: standalone
  if (from === 'preload') return false; // runs inside the user's program: its own modules only
  if (from === 'ui') return to === 'events' || to === 'config' || to === 'errors';
  if (STAGES.includes(from)) {
    if (to === 'events' || to === 'errors' || to === 'platform') return true;
    if (to === 'config') return typeOnly;
    if (to === 'ui') return typeOnly && target.endsWith('logger.js');
    return false;
  }
  if (from === 'pipeline') return [...STAGES, 'events', 'errors', 'platform', 'config', 'ui'].includes(to);
  if (from === 'workspace') {
    // Discovery and the graph need only config; the orchestrator runs N pipelines on one router.
    if (/(orchestrator|repository-ignore|plan)\.ts$/.test(source)) return ['config', 'errors', 'events', 'watch', 'pipeline', 'hot', 'ui', ...STAGES].includes(to);
    return to === 'config' || to === 'errors';
  }
  if (from === 'hot') return [...STAGES, 'pipeline', 'events', 'errors', 'platform', 'config', 'ui'].includes(to);
  if (from === 'cli') {
    // The doctor counts the files hot would watch with the watcher's own ignore rules, and says which watcher it would use.
    if (to === 'watch') return /[\\/](filter|gitignore|watcher)\.js$/.test(target);
    return ['hot', 'index', 'config', 'workspace', 'ui', 'errors', 'events', 'platform'].includes(to);
  }
  if (from === 'index') return true;
  return false;
}

it('src/ imports follow the module rules', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm)) {
      const target = path.resolve(path.dirname(file), match[3]!);
      const from = areaOf(file);
      const to = areaOf(target.replace(/\.js$/, '.ts'));
      if (!allowed(from, to, Boolean(match[2]), target, file)) violations.push(`${path.relative(SRC, file)} -> ${match[3]}`);
    }
  }
  expect(violations).toEqual([]);
});
