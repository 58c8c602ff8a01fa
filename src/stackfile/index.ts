// The stack file loader: the one parser every part of stackd reads stack files through.
export { loadStack, loadStackWith, type ReadFile, type LoadOptions, type LoadedStack } from './load.js';
export { StackFileError, formatProblem, type Problem } from './errors.js';
export { readBounded, FileRefusedError, LIMITS } from './files.js';
export { parseDuration, formatDuration, durationMs, parseBytes } from './units.js';
export * from './defaults.js';
export type * from './types.js';
export { toStackFile } from './print.js';
