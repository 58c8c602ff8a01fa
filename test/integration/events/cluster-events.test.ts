// Events recorded by a real stackd (manager + agent, embedded store, the local engine): a crash
// loop counts on one Warning event, a rollout says started and completed, `stackctl events` prints
// them (json shape), -f streams a new one, and they expire after --event-ttl.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { StackdEvent } from '../../../src/events/event.js';
import { ROOT } from '../../helpers/cli.js';
import { SingleNode, eventually } from '../../helpers/stackd.js';
import { CRASH_LOOP_STACK } from '../../helpers/stacks.js';

const node = new SingleNode('ev');
// short enough for the expiry case to see it, long enough that on a loaded machine no event
// expires between being recorded and being asserted on
beforeAll(() => node.start(['--event-ttl', '30s']), 60_000);
afterAll(() => node.cleanup(), 60_000);

const events = async (...args: string[]) => node.json<StackdEvent[]>(['events', ...args]);

const app = (image: string) => `services:
  app:
    image: ${image}
    init: true
    command: ["sleep", "3600"]
    stop_grace_period: 1s
`;

it(
  'a crash loop is one Warning event whose count grows; the json output has the event shape',
  node.logged(async () => {
    const stack = node.uniqueName('evcrash');
    await node.deploy(stack, CRASH_LOOP_STACK, '--detach');
    const failed = await eventually(async () => {
      const list = await events('--stack', stack, '--type', 'warning');
      const ev = list.find((e) => e.reason === 'TaskFailed');
      return ev && ev.count >= 2 ? { ev, list } : false;
    }, 45_000);
    expect(failed.list.filter((e) => e.reason === 'TaskFailed')).toHaveLength(1);
    expect(failed.ev).toMatchObject({
      apiVersion: 'stackd.io/v1',
      kind: 'Event',
      metadata: { namespace: stack, name: expect.stringMatching(/^service\.crash\./) },
      involvedObject: { kind: 'Service', stack, name: 'crash' },
      type: 'Warning',
      message: expect.stringContaining('crash.1 failed: exit code 3'),
      source: { component: 'manager' },
    });
    expect(Date.parse(failed.ev.lastTimestamp)).toBeGreaterThan(Date.parse(failed.ev.firstTimestamp));
    // each replacement says how the task before it ended, on one Normal event too
    const restarted = (await events('--stack', stack)).filter((e) => e.reason === 'TaskRestarted');
    expect(restarted).toHaveLength(1);
    expect(restarted[0]).toMatchObject({ type: 'Normal', message: expect.stringMatching(/^crash\.1 restarted after failed: exit code 3/) });
    // a follow whose reader goes away (`stackctl events -f | head -1`) ends quietly at its next write
    const follower = spawn(process.execPath, [join(ROOT, 'bin', 'stackctl.js'), '--store', node.storeUrl, 'events', '-f', '--stack', stack]);
    let stderr = '';
    follower.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(follower, 'exit');
    await once(follower.stdout, 'data');
    follower.stdout.destroy();
    const [code] = await exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const table = await node.stackctl(['events', '--stack', stack]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE/);
    expect(table.stdout).toContain(`service/${stack}_crash`);
  }),
  90_000,
);

const streamed = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StackdEvent);

it(
  'a rollout records started and completed; -f streams a new event; events expire after --event-ttl',
  node.logged(async () => {
    const stack = node.uniqueName('evroll');
    expect((await node.deploy(stack, app('stackd/busybox:latest'))).code).toBe(0);
    await node.docker.getImage('stackd/busybox:latest').tag({ repo: 'stackd/busybox', tag: 'evroll' });
    expect((await node.deploy(stack, app('stackd/busybox:evroll'))).code).toBe(0);
    // a new service has nothing to roll out (no update record, orchestrator/update.ts
    // openRecord): only the image change is a rollout, started once and completed once
    const rollout = await eventually(async () => {
      const list = (await events('--stack', stack)).filter((e) => e.reason.startsWith('Rollout'));
      return list.some((e) => e.reason === 'RolloutCompleted') ? list : false;
    }, 30_000);
    expect(rollout.map((e) => [e.reason, e.count])).toEqual([
      ['RolloutStarted', 1],
      ['RolloutCompleted', 1],
    ]);
    expect(rollout[1].message).toMatch(/^rollout \w{8} → \w{8} completed \(1\/1 updated\)$/);
    // the object's own views show them: inspect's json and rollout status after its verdict
    const inspect = await node.stackctl(['service', 'inspect', `${stack}_app`]);
    expect(inspect.code).toBe(0);
    const [inspected] = JSON.parse(inspect.stdout) as { events: StackdEvent[] }[];
    expect(inspected.events.map((e) => e.metadata.name)).toContain(rollout[1].metadata.name);
    expect(inspected.events.every((e) => e.involvedObject.name === 'app' && e.involvedObject.stack === stack)).toBe(true);
    const status = await node.stackctl(['rollout', 'status', `${stack}_app`]);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n').slice(0, 3)).toEqual([`${stack}_app: rollout complete`, '', 'Events:']);
    expect(status.stdout).toMatch(new RegExp(`Normal\\s+RolloutCompleted\\s+service/${stack}_app\\s+1\\s+rollout \\w{8} → \\w{8} completed`));

    // -f prints what is there first; once it has, a second rollout (back to the first image) can
    // only reach it through the watch
    const follower = spawn(process.execPath, [join(ROOT, 'bin', 'stackctl.js'), '--store', node.storeUrl, 'events', '-f', '--stack', stack, '--format', 'json']);
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => streamed(out).some((e) => e.metadata.name === rollout[1].metadata.name), 20_000);
      expect((await node.deploy(stack, app('stackd/busybox:latest'))).code).toBe(0);
      const back = await eventually(
        () => streamed(out).find((e) => e.reason === 'RolloutCompleted' && e.metadata.name !== rollout[1].metadata.name) ?? false,
        20_000,
      );
      expect(back).toMatchObject({ involvedObject: { kind: 'Service', stack, name: 'app' }, type: 'Normal', count: 1 });
    } finally {
      follower.kill('SIGINT');
    }
    await eventually(async () => (await events('--stack', stack)).length === 0, 90_000);
  }),
  180_000,
);

it(
  'a task no node can take is FailedScheduling with the reason; a drained node is NodeDrained',
  node.logged(async () => {
    const stack = node.uniqueName('evsched');
    const pinned = `services:
  nowhere:
    image: stackd/busybox:latest
    command: ["sleep", "3600"]
    deploy:
      placement: {constraints: ["node.labels.evzone==mars"]}
`;
    expect((await node.deploy(stack, pinned, '--detach')).code).toBe(0);
    const sched = await eventually(async () => (await events('--stack', stack)).find((e) => e.reason === 'FailedScheduling') ?? false, 30_000);
    expect(sched).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Service', stack, name: 'nowhere' },
      message: expect.stringMatching(/^nowhere\.1: no suitable node \(.*node\.labels\.evzone==mars/),
    });
    // rollout status gives up (nothing can run) and shows why: the service's events
    const status = await node.stackctl(['rollout', 'status', `${stack}_nowhere`, '--timeout', '1s']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('did not converge');
    expect(status.stdout).toMatch(/^\nEvents:\n {2}LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE\n/);
    expect(status.stdout).toMatch(new RegExp(`Warning\\s+FailedScheduling\\s+service/${stack}_nowhere\\s+1\\s+nowhere\\.1: no suitable node`));
    for (const availability of ['drain', 'active']) {
      expect((await node.stackctl(['node', 'update', '--availability', availability, node.nodeName])).code).toBe(0);
    }
    const nodeEvents = await eventually(async () => {
      const list = (await events()).filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === node.nodeName);
      return list.some((e) => e.reason === 'NodeActivated') ? list : false;
    }, 30_000);
    expect(nodeEvents.map((e) => [e.reason, e.message, e.involvedObject.stack])).toEqual([
      ['NodeDrained', `node ${node.nodeName} availability active → drain`, ''],
      ['NodeActivated', `node ${node.nodeName} availability drain → active`, ''],
    ]);
  }),
  90_000,
);

it(
  'an update whose tasks fail is rolled back: RolloutRolledBack says why, then RollbackCompleted',
  node.logged(async () => {
    const stack = node.uniqueName('evback');
    const svc = (command: string) => `services:
  app:
    image: stackd/busybox:latest
    init: true
    command: ${command}
    stop_grace_period: 1s
    deploy:
      update_config: {failure_action: rollback, monitor: 2s}
`;
    expect((await node.deploy(stack, svc('["sleep", "3600"]'))).code).toBe(0);
    expect((await node.deploy(stack, svc('["sh", "-c", "exit 7"]'))).code).not.toBe(0);
    const list = await eventually(async () => {
      const l = await events('--stack', stack);
      return l.some((e) => e.reason === 'RollbackCompleted') ? l : false;
    }, 60_000);
    const back = list.find((e) => e.reason === 'RolloutRolledBack');
    expect(back).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Service', stack, name: 'app' } });
    expect(back?.message).toMatch(/^rolling back to \w{8}: .*exit code 7/);
    const reasons = list.map((e) => e.reason);
    expect(reasons.indexOf('RolloutRolledBack')).toBeLessThan(reasons.indexOf('RollbackCompleted'));
  }),
  120_000,
);
