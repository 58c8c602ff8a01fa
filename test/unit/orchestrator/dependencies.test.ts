import type { Service, Task } from '../../../src/api/objects.js';
import { dependencyGate, dependentsOf, servicesReading } from '../../../src/orchestrator/dependencies.js';
import type { DependsCondition, HealthcheckSpec } from '../../../src/stackfile/types.js';
import { service, task } from './fixtures.js';

const HC: HealthcheckSpec = { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 3, start_period: '0s' };
const web = (deps: Record<string, DependsCondition>, required = true) =>
  service('web', { depends_on: Object.fromEntries(Object.entries(deps).map(([k, condition]) => [k, { condition, required }])) });

type Case = [string, Service, Service[], (deps: Service[]) => Task[], string | undefined];
const api = service('api', { deploy: { replicas: 2 } });
const apiHc = service('api', { healthcheck: HC });
const db = service('db');
const migrate = service('migrate', { deploy: { restart_policy: { condition: 'none' } } });
const agent = service('agent', { deploy: { mode: 'global' } });

const cases: Case[] = [
  ['no depends_on: ready', service('web'), [], () => [], undefined],
  [
    'service_started: waits for every replica',
    web({ api: 'service_started' }),
    [api],
    () => [task(api, 'a1', { slot: 1 }), task(api, 'a2', { slot: 2, state: 'starting' })],
    'waiting for api (service_started: 1/2 tasks running)',
  ],
  ['service_started: all running', web({ api: 'service_started' }), [api], () => [task(api, 'a1', { slot: 1 }), task(api, 'a2', { slot: 2 })], undefined],
  ['service_started: no tasks yet', web({ api: 'service_started' }), [api], () => [], 'waiting for api (service_started: 0/2 tasks running)'],
  [
    'service_started: a task being shut down does not count',
    web({ db: 'service_started' }),
    [db],
    () => [task(db, 'd', { slot: 1, desired: 'shutdown' })],
    'waiting for db (service_started: 0/1 tasks running)',
  ],
  [
    'service_healthy: running but not yet healthy',
    web({ api: 'service_healthy' }),
    [apiHc],
    () => [task(apiHc, 'a', { slot: 1, health: 'starting' })],
    'waiting for api (service_healthy: 0/1 tasks healthy)',
  ],
  ['service_healthy: healthy', web({ api: 'service_healthy' }), [apiHc], () => [task(apiHc, 'a', { slot: 1, health: 'healthy' })], undefined],
  ['service_healthy: no healthcheck counts as healthy once running', web({ db: 'service_healthy' }), [db], () => [task(db, 'd', { slot: 1 })], undefined],
  [
    'service_healthy: no healthcheck, not running yet',
    web({ db: 'service_healthy' }),
    [db],
    () => [task(db, 'd', { slot: 1, state: 'preparing' })],
    'waiting for db (service_healthy: 0/1 tasks healthy)',
  ],
  [
    'service_completed_successfully: still running',
    web({ migrate: 'service_completed_successfully' }),
    [migrate],
    () => [task(migrate, 'm', { slot: 1 })],
    'waiting for migrate (service_completed_successfully: 0/1 tasks completed successfully)',
  ],
  [
    'service_completed_successfully: exited 0',
    web({ migrate: 'service_completed_successfully' }),
    [migrate],
    () => [task(migrate, 'm', { slot: 1, state: 'complete', exitCode: 0 })],
    undefined,
  ],
  [
    'service_completed_successfully: failed does not count',
    web({ migrate: 'service_completed_successfully' }),
    [migrate],
    () => [task(migrate, 'm', { slot: 1, state: 'failed', exitCode: 1 })],
    'waiting for migrate (service_completed_successfully: 0/1 tasks completed successfully)',
  ],
  [
    'service_completed_successfully: stays met while the dependency restarts',
    web({ migrate: 'service_completed_successfully' }),
    [migrate],
    () => [task(migrate, 'm1', { slot: 1, state: 'complete', exitCode: 0, desired: 'shutdown' }), task(migrate, 'm2', { slot: 1, state: 'running', created: 5 })],
    undefined,
  ],
  [
    'service_completed_successfully: an older revision does not count',
    web({ migrate: 'service_completed_successfully' }),
    [migrate],
    () => [task(migrate, 'm', { slot: 1, state: 'complete', exitCode: 0, from: service('migrate', { image: 'old:1' }) })],
    'waiting for migrate (service_completed_successfully: 0/1 tasks completed successfully)',
  ],
  [
    'a global dependency: every node with a task',
    web({ agent: 'service_started' }),
    [agent],
    () => [task(agent, 'g1', { node: 'n1' }), task(agent, 'g2', { node: 'n2', state: 'assigned' })],
    'waiting for agent (service_started: 1/2 tasks running)',
  ],
  [
    'a global dependency with no tasks yet waits for one',
    web({ agent: 'service_started' }),
    [agent],
    () => [],
    'waiting for agent (service_started: 0/1 tasks running)',
  ],
  ['a dependency scaled to 0 is nothing to wait for', web({ api: 'service_started' }), [service('api', { deploy: { replicas: 0 } })], () => [], undefined],
  ['a required dependency missing from the stack', web({ ghost: 'service_started' }), [], () => [], 'waiting for ghost (service ghost not found)'],
  ['an optional dependency missing from the stack is skipped', web({ ghost: 'service_started' }, false), [], () => [], undefined],
  [
    'several unmet dependencies are all named',
    web({ api: 'service_started', db: 'service_healthy' }),
    [api, db],
    () => [],
    'waiting for api (service_started: 0/2 tasks running); waiting for db (service_healthy: 0/1 tasks healthy)',
  ],
  [
    'a service of another stack with the same name is not the dependency',
    web({ db: 'service_started' }),
    [service('db', {}, 'other')],
    () => [],
    'waiting for db (service db not found)',
  ],
];

describe('dependencyGate', () => {
  it.each(cases)('%s', (_name, svc, deps, tasks, reason) => {
    expect(dependencyGate(svc, deps, tasks(deps))).toEqual(reason === undefined ? { ready: true } : { ready: false, reason });
  });
});

describe('dependentsOf', () => {
  it('lists the services waiting on one, sorted', () => {
    expect(
      dependentsOf('db', [web({ db: 'service_started' }), service('api', { depends_on: { db: { condition: 'service_healthy', required: true } } }), db]),
    ).toEqual(['api', 'web']);
  });
});

describe('servicesReading', () => {
  const api = service('api', { depends_on: { db: { condition: 'service_healthy', required: true } } });
  const cache = service('cache');
  const all = [web({ api: 'service_started', ghost: 'service_started' }), api, db, cache];
  it.each([
    ['a service with neither dependents nor dependencies: itself alone', 'cache', ['cache']],
    ['a dependency: itself and its dependents (their start waits on it)', 'db', ['db', 'api']],
    ['in the middle: its dependents and its dependencies (their stop waits on it)', 'api', ['api', 'web', 'db']],
    ['a dependency that does not exist is not woken', 'web', ['web', 'api']],
    ['a removed service (its tasks are orphans): itself', 'gone', ['gone']],
  ])('%s', (_what, name, expected) => {
    expect(servicesReading(name, all)).toEqual(expected);
  });
});
