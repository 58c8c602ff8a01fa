import type { Service, Task } from '../../../src/api/objects.js';
import { runStateProgress } from '../../../src/compose/stop-start.js';
import { service, task } from '../orchestrator/fixtures.js';

const stopped = (svc: Service): Service => ({ ...svc, spec: { ...svc.spec, stopped: true } });
const api = service('api');
const web = service('web', { deploy: { replicas: 2 } });
const kept = (svc: Service, name: string, slot: number, o: Parameters<typeof task>[2] = {}): Task =>
  task(svc, name, { slot, node: 'a', desired: 'stopped', state: 'stopped', ...o });

describe('runStateProgress', () => {
  it('stopped: every live task reports stopped; ended ones and ones not on a node yet count as there', () => {
    const tasks = [kept(api, 'a', 1), kept(web, 'w1', 1, { state: 'failed' }), kept(web, 'w2', 2, { state: 'pending' })];
    expect(runStateProgress([stopped(api), stopped(web)], tasks, undefined, 'stopped')).toEqual({
      services: [
        { name: 'api', ready: 1, total: 1 },
        { name: 'web', ready: 1, total: 1 },
      ],
      done: true,
    });
  });

  it('stopped: a task still running (the manager has not asked yet) is not there; other services are not looked at', () => {
    const tasks = [task(api, 'a', { slot: 1, node: 'a' }), task(web, 'w1', { slot: 1, node: 'a' })];
    expect(runStateProgress([stopped(api), web], tasks, ['api'], 'stopped')).toEqual({ services: [{ name: 'api', ready: 0, total: 1 }], done: false });
  });

  it('started: running or complete, and wanted running; a task still stopped is not there', () => {
    const tasks = [task(api, 'a', { slot: 1, node: 'a' }), task(web, 'w1', { slot: 1, node: 'a', state: 'complete' }), kept(web, 'w2', 2, { desired: 'running' })];
    expect(runStateProgress([api, web], tasks, undefined, 'started')).toEqual({
      services: [
        { name: 'api', ready: 1, total: 1 },
        { name: 'web', ready: 1, total: 2 },
      ],
      done: false,
    });
  });

  it('started: not done while the service is still flagged stopped, even if its tasks run', () => {
    const tasks = [task(api, 'a', { slot: 1, node: 'a' })];
    expect(runStateProgress([stopped(api)], tasks, undefined, 'started').done).toBe(false);
    expect(runStateProgress([api], tasks, undefined, 'started').done).toBe(true);
  });
});
