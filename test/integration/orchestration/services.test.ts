// Services on one node: `service scale` up and down, and an image that cannot be had.
import { eventually, idleCommand, SingleNode } from '../../helpers/stackd.js';

const node = new SingleNode('orchsvc');
beforeAll(() => node.start());
afterAll(() => node.cleanup());

/** Slots of the service's running containers on the engine, sorted. */
async function runningSlots(stack: string, service: string): Promise<number[]> {
  return (await node.containers(stack, { service, running: true })).map((c) => Number(c.Labels['io.stackd.slot'])).sort((a, b) => a - b);
}

it(
  'service scale: the running containers follow up and down, and scaling down stops the highest slots',
  node.logged(async () => {
    const stack = node.uniqueName('scale');
    const yaml = `services:
  app:
    image: stackd/busybox:latest
    command: ${idleCommand()}
    deploy:
      replicas: 2
`;
    expect((await node.deploy(stack, yaml)).code).toBe(0);
    expect(await runningSlots(stack, 'app')).toEqual([1, 2]);
    const [first] = await node.containers(stack, { service: 'app', running: true }).then((cs) => cs.filter((c) => c.Labels['io.stackd.slot'] === '1'));

    const up = await node.stackctl(['service', 'scale', `${stack}_app=4`]);
    expect(up).toMatchObject({ code: 0, stdout: `${stack}_app scaled to 4\n` });
    await eventually(async () => expect(await runningSlots(stack, 'app')).toEqual([1, 2, 3, 4]));
    await eventually(async () => expect((await node.json<{ replicas: string }[]>(['services', stack]))[0].replicas).toBe('4/4'));

    expect((await node.stackctl(['service', 'scale', `${stack}_app=1`])).code).toBe(0);
    await eventually(async () => expect(await runningSlots(stack, 'app')).toEqual([1]));
    // slot 1 kept its container all along
    expect((await node.containers(stack, { service: 'app', running: true }))[0].Id).toBe(first.Id);
    const rows = await node.ps(stack);
    expect(rows.filter((r) => r.desiredState === 'Running').map((r) => r.name)).toEqual([`${stack}_app.1`]);
  }),
);

it(
  'an image that is neither present nor pullable: the task is rejected with the pull error in ps, and deploy exits non-zero saying so',
  node.logged(async () => {
    const stack = node.uniqueName('nope');
    const yaml = `services:
  app:
    image: stackd/nope:1
    deploy:
      restart_policy: {delay: 1s}
`;
    const res = await node.deploy(stack, yaml, '--timeout', '60s');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`^stackctl: stack ${stack} failed: ${stack}_app: task rejected: No such image: stackd/nope:1 \\(pull failed: .+\\)$`, 'm'),
    );
    // (restart_policy any retries rejected tasks too: the first may already be history)
    const rejected = (await node.ps(stack)).find((r) => r.currentState === 'Rejected');
    expect(rejected).toMatchObject({
      name: expect.stringContaining(`${stack}_app.1`),
      image: 'stackd/nope:1',
      currentState: 'Rejected',
      error: expect.stringMatching(/^No such image: stackd\/nope:1 \(pull failed: .+\)$/),
    });
    expect(await node.containers(stack)).toEqual([]);
  }),
);
