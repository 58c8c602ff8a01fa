import type { RestartPolicySpec } from '../../../src/stackfile/types.js';
import { decideRestart, planRestarts } from '../../../src/orchestrator/restart.js';
import { at, iso, service, task, type TaskOpts } from './fixtures.js';

type Case = {
  name: string;
  policy?: Partial<RestartPolicySpec>;
  ended: TaskOpts;
  /** seconds after T0 */
  now: number;
  restart: boolean;
  /** seconds after T0 */
  at?: number;
  attempt?: number;
  history?: number[];
  reason?: string;
};

const cases: Case[] = [
  {
    name: 'any: a failure restarts after the delay',
    ended: { state: 'failed', exitCode: 1, since: 10 },
    now: 10,
    restart: true,
    at: 15,
    attempt: 1,
    reason: 'task t failed (exit code 1)',
  },
  { name: 'any: a clean exit restarts too', ended: { state: 'complete', exitCode: 0, since: 10 }, now: 20, restart: true, at: 15, attempt: 1 },
  {
    name: 'any: a rejected task (missing image) restarts with its delay',
    ended: { state: 'rejected', error: 'no such image', since: 10 },
    now: 10,
    restart: true,
    at: 15,
    reason: 'task t rejected (no such image)',
  },
  { name: 'any: shut down by something other than the manager restarts', ended: { state: 'shutdown', since: 10 }, now: 10, restart: true, at: 15 },
  { name: 'delay 0 restarts at once', policy: { delay: '0s' }, ended: { state: 'failed', since: 10 }, now: 10, restart: true, at: 10 },
  { name: 'a long delay', policy: { delay: '1m30s' }, ended: { state: 'failed', since: 10 }, now: 10, restart: true, at: 100 },
  {
    name: 'none never restarts',
    policy: { condition: 'none' },
    ended: { state: 'failed', exitCode: 1, since: 10 },
    now: 99,
    restart: false,
    reason: 'task t failed (exit code 1); restart_policy condition none',
  },
  { name: 'on-failure restarts a failure', policy: { condition: 'on-failure' }, ended: { state: 'failed', exitCode: 3, since: 10 }, now: 10, restart: true, at: 15 },
  { name: 'on-failure restarts a rejection', policy: { condition: 'on-failure' }, ended: { state: 'rejected', since: 10 }, now: 10, restart: true, at: 15 },
  {
    name: 'on-failure leaves a clean exit',
    policy: { condition: 'on-failure' },
    ended: { state: 'complete', exitCode: 0, since: 10 },
    now: 99,
    restart: false,
    reason: 'task t complete (exit code 0); restart_policy condition on-failure',
  },
  {
    name: 'max_attempts 0 is unlimited',
    policy: { max_attempts: 0 },
    ended: { state: 'failed', since: 10, restart: { attempt: 1000, history: [] } },
    now: 10,
    restart: true,
    at: 15,
    attempt: 1001,
    history: [],
  },
  {
    name: 'max_attempts 3: the third restart is allowed',
    policy: { max_attempts: 3 },
    ended: { state: 'failed', since: 10, restart: { attempt: 2, history: [iso(1), iso(2)] } },
    now: 15,
    restart: true,
    at: 15,
    attempt: 3,
    history: [1, 2, 15],
  },
  {
    name: 'max_attempts 3: no fourth',
    policy: { max_attempts: 3 },
    ended: { state: 'failed', since: 10, restart: { attempt: 3, history: [iso(1), iso(2), iso(3)] } },
    now: 15,
    restart: false,
    reason: 'task t failed; restart_policy max_attempts 3 reached',
  },
  {
    name: 'max_attempts without a window counts every restart, however old',
    policy: { max_attempts: 2 },
    ended: { state: 'failed', since: 100000, restart: { attempt: 2, history: [iso(1), iso(2)] } },
    now: 100000,
    restart: false,
  },
  {
    name: 'window: restarts before it no longer count',
    policy: { max_attempts: 2, window: '1m' },
    ended: { state: 'failed', since: 200, restart: { attempt: 5, history: [iso(100), iso(150)] } },
    now: 200,
    restart: true,
    at: 205,
    attempt: 6,
    history: [150, 205],
  },
  {
    name: 'window: restarts inside it count',
    policy: { max_attempts: 2, window: '1m' },
    ended: { state: 'failed', since: 200, restart: { attempt: 2, history: [iso(150), iso(190)] } },
    now: 200,
    restart: false,
    reason: 'task t failed; restart_policy max_attempts 2 reached within 1m',
  },
  {
    name: 'window is measured back from the failure, not from now (same answer for a later leader)',
    policy: { max_attempts: 2, window: '1m' },
    ended: { state: 'failed', since: 200, restart: { attempt: 2, history: [iso(150), iso(190)] } },
    now: 5000,
    restart: false,
  },
  {
    name: 'history keeps only the last max_attempts entries',
    policy: { max_attempts: 2 },
    ended: { state: 'failed', since: 10, restart: { attempt: 1, history: [iso(1)] } },
    now: 20,
    restart: true,
    at: 15,
    attempt: 2,
    history: [1, 20],
  },
  {
    name: 'a task of an older revision starts counting afresh',
    policy: { max_attempts: 1 },
    ended: { state: 'failed', since: 10, restart: { attempt: 9, history: [iso(5)] }, from: service('web', { image: 'old:1' }) },
    now: 15,
    restart: true,
    at: 15,
    attempt: 1,
    history: [15],
  },
];

describe('decideRestart', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const svc = service('web', { deploy: { restart_policy: c.policy ?? {} } });
    const d = decideRestart(svc, '1', task(svc, 't', { slot: 1, ...c.ended }), at(c.now));
    expect(d.restart).toBe(c.restart);
    if (c.at !== undefined) expect(d.at).toEqual(at(c.at));
    if (c.attempt !== undefined) expect(d.record?.attempt).toBe(c.attempt);
    if (c.history !== undefined) expect(d.record?.history).toEqual(c.history.map(iso));
    if (c.reason !== undefined) expect(d.reason).toBe(c.reason);
  });
});

describe('planRestarts', () => {
  it('decides for every slot whose current task ended, and only those', () => {
    const svc = service('web', { deploy: { replicas: 3 } });
    const tasks = [
      task(svc, 'a', { slot: 1, state: 'running' }),
      task(svc, 'b', { slot: 2, state: 'failed', since: 4 }),
      task(svc, 'c-old', { slot: 3, state: 'failed', desired: 'shutdown' }), // history: already replaced
      task(svc, 'c', { slot: 3, state: 'starting', created: 1 }),
    ];
    expect(planRestarts(svc, tasks, at(5)).map((d) => [d.slot, d.taskName, d.restart, d.at])).toEqual([['2', 'b', true, at(9)]]);
  });

  it('keys global tasks by node', () => {
    const svc = service('agent', { deploy: { mode: 'global' } });
    const tasks = [task(svc, 'x', { node: 'n1', state: 'failed' }), task(svc, 'y', { node: 'n2' })];
    expect(planRestarts(svc, tasks, at(0)).map((d) => d.slot)).toEqual(['n1']);
  });
});
