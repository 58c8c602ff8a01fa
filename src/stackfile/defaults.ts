// Swarm's engine defaults (swarmkit api/defaults), explicit in every normalized service, and stackd's own.
import type { RestartPolicySpec, UpdateConfigSpec } from './types.js';

export const DEFAULT_RESTART_POLICY: RestartPolicySpec = { condition: 'any', delay: '5s', max_attempts: 0, window: '0s' };
export const DEFAULT_UPDATE_CONFIG: UpdateConfigSpec = {
  parallelism: 1,
  delay: '0s',
  failure_action: 'pause',
  monitor: '5s',
  max_failure_ratio: 0,
  order: 'stop-first',
};
export const DEFAULT_STOP_GRACE_PERIOD = '10s';
export const DEFAULT_HEALTHCHECK = { interval: '30s', timeout: '30s', retries: 3, start_period: '0s' };
/** stackd's: a new task not running (and healthy) within this fails the update */
export const DEFAULT_PROGRESS_DEADLINE = '10m';
/** file mode of configs and secrets inside the container */
export const DEFAULT_FILE_MODE = 0o444;
