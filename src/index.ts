/** The programmatic API: `import { startHot, loadConfig } from 'hot-cli'`. */
export { startHot, type CycleReport, type HotApp, type HotOptions } from './app.js';
export { loadConfig, type LoadOptions } from './config/load.js';
export type { ResolvedConfig, UserConfig, CliOverrides } from './config/schema.js';
export { HotError, ConfigError, BuildError, SpawnError, HandoffError } from './errors.js';
export { createLogger, type Logger, type LogLevel } from './ui/logger.js';
export type { BuildResult, ChangeBatch, ChildExit, FileChange, HotEvent, HotEventOf, HotEventType, PackageEvent, SupervisorEvent, Trigger } from './events.js';
