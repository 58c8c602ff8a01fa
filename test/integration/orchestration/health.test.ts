// Healthchecks and depends_on on one node: a task is running only once healthy, an unhealthy one
// fails and is replaced, and a service waits (saying why) for its dependency to be healthy.
import { docker, eventually, idleCommand, SingleNode, slotRows } from '../../helpers/stackd.js';

const node = new SingleNode('orchhc');
beforeAll(() => node.start());
afterAll(() => node.cleanup());

/** Healthy about 4 s after it starts, when /tmp/ready appears (long enough for `ps` to see it Starting). */
const slowToBeReady = `
    image: stackd/busybox:latest
    command: ${JSON.stringify(['sh', '-c', "trap 'exit 0' TERM; sleep 4 & wait $$!; touch /tmp/ready; while true; do sleep 1 & wait $$!; done"])}
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 1s
      timeout: 1s
      retries: 3
      start_period: 20s # failing probes before /tmp/ready are not counted`;

/** When the engine first said the container was healthy, in ms since the epoch. */
async function becameHealthyAt(containerId: string, since: Date): Promise<number> {
  const out = await docker(
    'events',
    '--since',
    since.toISOString(),
    '--until',
    new Date().toISOString(),
    '--filter',
    `container=${containerId}`,
    '--format',
    '{{.TimeNano}} {{.Action}}',
  );
  const line = out.split('\n').find((l) => l.endsWith(' health_status: healthy'));
  if (!line) throw new Error(`no health_status: healthy event for ${containerId} in:\n${out}`);
  return Number(BigInt(line.split(' ')[0]) / 1_000_000n);
}

it(
  'a task with a healthcheck is Starting until the container is healthy, then Running',
  node.logged(async () => {
    const stack = node.uniqueName('hc');
    expect((await node.deploy(stack, `services:\n  slow:${slowToBeReady}\n`, '--detach')).code).toBe(0);
    await eventually(async () => expect(slotRows(await node.ps(stack), stack, 'slow', 1).map((r) => r.currentState)).toEqual(['Starting']), 20_000, 100);
    const [starting] = await node.containers(stack, { service: 'slow', running: true });
    expect((await node.inspect(starting.Id)).State.Health?.Status).toBe('starting');

    await eventually(async () => expect(slotRows(await node.ps(stack), stack, 'slow', 1).map((r) => r.currentState)).toEqual(['Running']));
    expect((await node.inspect(starting.Id)).State.Health?.Status).toBe('healthy');
  }),
);

it(
  'a failing healthcheck fails the task ("container unhealthy"), stops its container, and a replacement is made',
  node.logged(async () => {
    const stack = node.uniqueName('sick');
    const yaml = `services:
  sick:
    image: stackd/busybox:latest
    command: ${idleCommand()}
    healthcheck: {test: ["CMD", "false"], interval: 1s, timeout: 1s, retries: 1}
    deploy:
      restart_policy: {delay: 1s}
`;
    expect((await node.deploy(stack, yaml, '--detach')).code).toBe(0);
    const rows = await eventually(async () => {
      const slot = slotRows(await node.ps(stack), stack, 'sick', 1);
      const failed = slot.find((r) => r.currentState === 'Failed');
      expect(failed).toMatchObject({ error: 'container unhealthy', desiredState: 'Shutdown' });
      expect(slot[0]).toMatchObject({ desiredState: 'Running' });
      expect(slot[0].id).not.toBe(failed!.id);
      return { failed: failed!, replacement: slot[0] };
    });
    const [old] = await node.containers(stack, { service: 'sick' }).then((cs) => cs.filter((c) => c.Labels['io.stackd.task'] === rows.failed.id));
    expect(old.State).not.toBe('running');
  }),
);

it(
  'depends_on service_healthy: the dependent waits, saying why in ps, and starts only after its dependency is healthy',
  node.logged(async () => {
    const stack = node.uniqueName('dep');
    const yaml = `services:
  db:${slowToBeReady}
  app:
    image: stackd/busybox:latest
    command: ${idleCommand()}
    depends_on:
      db:
        condition: service_healthy
`;
    const deployedAt = new Date(Date.now() - 1000);
    expect((await node.deploy(stack, yaml, '--detach')).code).toBe(0);
    const waiting = await eventually(
      async () => {
        const [row] = slotRows(await node.ps(stack), stack, 'app', 1);
        expect(row).toMatchObject({ currentState: expect.stringMatching(/^(New|Pending)$/), error: 'waiting for db (service_healthy: 0/1 tasks healthy)' });
        return row;
      },
      20_000,
      100,
    );
    expect(waiting.node).toBe('');

    await eventually(async () => {
      const rows = await node.ps(stack);
      expect([...slotRows(rows, stack, 'db', 1), ...slotRows(rows, stack, 'app', 1)].map((r) => r.currentState)).toEqual(['Running', 'Running']);
    });
    const [db] = await node.containers(stack, { service: 'db' });
    const [app] = await node.containers(stack, { service: 'app' });
    const healthyAt = await becameHealthyAt(db.Id, deployedAt);
    const appStartedAt = new Date((await node.inspect(app.Id)).State.StartedAt).getTime();
    expect(appStartedAt).toBeGreaterThanOrEqual(healthyAt);
  }),
);
