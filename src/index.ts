/** The programmatic API: `import { createHot, loadConfig } from 'hot-cli'`. */
export { createHot, startHot, type HotApp, type HotOptions } from './hot.js';
export { loadConfig, type LoadOptions } from './config/load.js';
export type { ResolvedConfig, UserConfig, CliOverrides } from './config/schema.js';
export { HotError, ConfigError, BuildError, SpawnError, HandoffError } from './errors.js';
export { createLogger, type Logger, type LogLevel } from './ui/logger.js';
export type { BuildResult, ChangeBatch, ChildExit, CycleReport, FileChange, HotEvent, HotEventOf, HotEventType, PackageEvent, TypeDiagnostic } from './events.js';
