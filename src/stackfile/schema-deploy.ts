// `deploy:` and `healthcheck:` as Swarm reads them (defaults are filled in by normalize.ts).
import { z } from 'zod';
import { bool, bytes, count, countUpTo, duration, field, labels, oneOf, ratio, str, strList, strictObject } from './fields.js';

/** Each replica is a task object in the Store: one line must not ask for millions of them. */
export const MAX_REPLICAS = 10_000;
/** Docker's NanoCpus is an int64. */
const MAX_CPUS = Math.floor((2 ** 63 - 1) / 1e9);

export const cpus = field('a number of CPUs like 0.5', (v) => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  if (n > MAX_CPUS) throw new Error(`${n} CPUs is out of range`);
  return n;
});

const resources = (unsupported: Record<string, string>) =>
  strictObject({ cpus: cpus.optional(), memory: bytes.optional(), pids: count.optional() }, { unsupported });

const updateConfig = (failureActions: ('pause' | 'continue' | 'rollback')[]) =>
  strictObject({
    parallelism: count.optional(),
    delay: duration.optional(),
    failure_action: oneOf(...failureActions).optional(),
    monitor: duration.optional(),
    max_failure_ratio: ratio.optional(),
    order: oneOf('stop-first', 'start-first').optional(),
  });

export const deploySchema = strictObject({
  mode: oneOf('replicated', 'global').optional(),
  replicas: countUpTo(MAX_REPLICAS).optional(),
  endpoint_mode: oneOf('vip', 'dnsrr').optional(),
  labels: labels.optional(),
  placement: strictObject({
    constraints: strList.optional(),
    preferences: z.array(strictObject({ spread: str })).optional(),
    max_replicas_per_node: countUpTo(MAX_REPLICAS).optional(),
  }).optional(),
  resources: strictObject({
    limits: resources({}).optional(),
    reservations: resources({
      devices: 'stackd does not schedule devices (GPUs); use the service-level devices: key',
      generic_resources: 'stackd does not schedule generic resources',
    }).optional(),
  }).optional(),
  restart_policy: strictObject({
    condition: oneOf('none', 'on-failure', 'any').optional(),
    delay: duration.optional(),
    max_attempts: count.optional(),
    window: duration.optional(),
  }).optional(),
  update_config: updateConfig(['pause', 'continue', 'rollback']).optional(),
  rollback_config: updateConfig(['pause', 'continue']).optional(),
});

const TEST_KINDS = ['NONE', 'CMD', 'CMD-SHELL'];
/** A string is a shell script (CMD-SHELL); a list starts with NONE, CMD or CMD-SHELL. */
const healthTest = field('a string or a list starting with NONE, CMD or CMD-SHELL', (v) => {
  if (typeof v === 'string') return ['CMD-SHELL', v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
  const test = v.map(String);
  if (!TEST_KINDS.includes(test[0])) throw new Error(`a healthcheck test list starts with NONE, CMD or CMD-SHELL, got ${JSON.stringify(test[0] ?? '')}`);
  return test;
});

export const healthcheckSchema = strictObject({
  test: healthTest.optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: count.optional(),
  start_period: duration.optional(),
  disable: bool.optional(),
});
