import type { Task, TaskState } from '../../../src/api/objects.js';
import { planStep } from '../../../src/agent/plan-step.js';
import type { ObservedContainer } from '../../../src/runtime/types.js';
import { agentTask } from './fixtures.js';

const task = (desiredState: 'running' | 'stopped' | 'shutdown', healthcheck = false, stopTimeoutSeconds?: number): Task =>
  agentTask(desiredState, { healthcheck, stopTimeoutSeconds });

function container(over: Partial<ObservedContainer>): ObservedContainer {
  return { id: 'c1', name: 'n', image: 'i', labels: {}, status: 'running', running: true, oomKilled: false, ...over };
}

const running = container({});
const created = container({ status: 'created', running: false });
const exited = (code: number, extra: Partial<ObservedContainer> = {}) => container({ status: 'exited', running: false, exitCode: code, ...extra });

describe('planStep: one step per call, states only forward', () => {
  it.each(
    (
      [
        ['no container yet: prepare', task('running'), undefined, 'assigned', 'prepare'],
        ['created: start it', task('running'), created, 'ready', 'start'],
        ['running without healthcheck: report running', task('running'), running, 'starting', 'report', { state: 'running' }],
        ['running with healthcheck, not yet healthy: starting', task('running', true), container({ health: 'starting' }), 'ready', 'report', { state: 'starting' }],
        ['already reported starting, still not healthy: nothing', task('running', true), container({ health: 'starting' }), 'starting', 'none'],
        ['healthy: running', task('running', true), container({ health: 'healthy' }), 'starting', 'report', { state: 'running', health: 'healthy' }],
        ['unhealthy: stop, then failed', task('running', true), container({ health: 'unhealthy' }), 'running', 'stop'],
        ['exit 0: complete', task('running'), exited(0), 'running', 'report', { state: 'complete', exitCode: 0 }],
        ['exit 137: failed with the code', task('running'), exited(137), 'running', 'report', { state: 'failed', exitCode: 137 }],
        ['OOM: failed saying so', task('running'), exited(137, { oomKilled: true }), 'running', 'report', { state: 'failed', error: 'out of memory (OOM killed)' }],
        ['container vanished after start: failed', task('running'), undefined, 'running', 'report', { state: 'failed' }],
        ['ended task is never restarted by the agent', task('running'), exited(1), 'failed', 'none'],
        ['ended task without container: still nothing', task('running'), undefined, 'complete', 'none'],
        ['running already reported: nothing', task('running'), running, 'running', 'none'],
        ['desired shutdown, running: stop', task('shutdown'), running, 'running', 'stop'],
        ['desired shutdown, exited: report shutdown', task('shutdown'), exited(0), 'running', 'report', { state: 'shutdown' }],
        ['desired shutdown, never created: report shutdown', task('shutdown'), undefined, 'assigned', 'report', { state: 'shutdown' }],
        ['desired shutdown, already terminal: nothing', task('shutdown'), exited(0), 'shutdown', 'none'],
      ] as [string, Task, ObservedContainer | undefined, TaskState, string, Partial<Record<string, unknown>>?][]
    ).map((row) => [row[0], row[1], row[2], row[3], row[4], row[5] ?? null] as const),
  )('%s', (_name, t, c, reported, type, status) => {
    const step = planStep(t, c, reported);
    expect(step.type).toBe(type);
    if (status) expect((step as { status: unknown }).status).toMatchObject(status);
    if (type === 'stop' && t.spec.desiredState === 'running')
      expect((step as { then: unknown }).then).toMatchObject({ state: 'failed', error: 'container unhealthy' });
  });
});

describe('planStep: a task leaves its endpoints before its stop signal', () => {
  it('unhealthy while running: reported unhealthy (out of the endpoints) first, then stopped and failed', () => {
    const step = planStep(task('running', true), container({ health: 'unhealthy' }), 'running');
    expect(step).toMatchObject({
      type: 'stop',
      drain: { report: { state: 'running', health: 'unhealthy' } },
      then: { state: 'failed', health: 'unhealthy', error: 'container unhealthy' },
    });
  });
  it('unhealthy before it ever ran (never an endpoint): stopped without a drain', () => {
    expect(planStep(task('running', true), container({ health: 'unhealthy' }), 'starting')).not.toHaveProperty('drain');
  });
  it("wanted stopped or shut down while running: drained (the manager's wish already took it out), nothing to report", () => {
    expect(planStep(task('shutdown'), running, 'running')).toMatchObject({ type: 'stop', drain: {} });
    expect(planStep(task('stopped'), running, 'running')).toMatchObject({ type: 'stop', drain: {} });
    expect((planStep(task('shutdown'), running, 'running') as { drain: object }).drain).not.toHaveProperty('report');
  });
  it('not yet running: no drain', () => {
    expect(planStep(task('shutdown'), container({ health: 'starting' }), 'starting')).not.toHaveProperty('drain');
    expect(planStep(task('stopped', true), container({ health: 'starting' }), 'starting')).not.toHaveProperty('drain');
  });
});

describe('planStep: Compose stop keeps the container, start starts the same one', () => {
  const stopped = exited(143);
  it.each(
    (
      [
        ['running: stop it, then stopped', task('stopped'), running, 'running', 'stop'],
        ['starting: stop it too', task('stopped', true), container({ health: 'starting' }), 'starting', 'stop'],
        ['never created: stopped without a container', task('stopped'), undefined, 'assigned', 'report', { state: 'stopped' }],
        ['preparing, container created: stopped, kept', task('stopped'), created, 'ready', 'report', { state: 'stopped', containerId: 'c1' }],
        ['exited meanwhile: stopped (the user asked for it)', task('stopped'), exited(1), 'running', 'report', { state: 'stopped', exitCode: 1 }],
        ['already reported stopped, exited: nothing', task('stopped'), stopped, 'stopped', 'none'],
        ['reported stopped but running again: stop it again', task('stopped'), running, 'stopped', 'stop'],
        ['reported stopped, no container: nothing', task('stopped'), undefined, 'stopped', 'none'],
        ['ended before the stop: stays ended', task('stopped'), exited(1), 'failed', 'none'],
        ['ended without container: stays ended', task('stopped'), undefined, 'complete', 'none'],
        ['wanted running, stopped and exited: start the same container', task('running'), stopped, 'stopped', 'start'],
        ['wanted running, stopped, exit 0: start it (not complete)', task('running'), exited(0), 'stopped', 'start'],
        ['wanted running, stopped before it had a container: prepare', task('running'), undefined, 'stopped', 'prepare'],
        ['wanted running, stopped, created: start', task('running'), created, 'stopped', 'start'],
        ['wanted running, stopped but running: report running', task('running'), running, 'stopped', 'report', { state: 'running' }],
        ['wanted running, stopped, container paused: wait for the next event', task('running'), container({ status: 'paused', running: false }), 'stopped', 'none'],
        ['with a healthcheck: starting until healthy', task('running', true), container({ health: 'starting' }), 'stopped', 'report', { state: 'starting' }],
      ] as [string, Task, ObservedContainer | undefined, TaskState, string, Partial<Record<string, unknown>>?][]
    ).map((row) => [row[0], row[1], row[2], row[3], row[4], row[5] ?? null] as const),
  )('%s', (_name, t, c, reported, type, status) => {
    const step = planStep(t, c, reported);
    expect(step.type).toBe(type);
    if (status) expect((step as { status: unknown }).status).toMatchObject(status);
    if (type === 'stop') expect((step as { then: unknown }).then).toEqual({ state: 'stopped', message: 'stopped', containerId: 'c1' });
  });

  it('stops within the stop -t timeout when given, else leaves the grace period to the template', () => {
    expect(planStep(task('stopped', false, 3), running, 'running')).toMatchObject({ type: 'stop', timeoutSeconds: 3 });
    expect(planStep(task('stopped'), running, 'running')).not.toHaveProperty('timeoutSeconds');
  });
});
