// Compose `stop` / `start` on one node: the containers are kept, stopped (web before api, depends_on
// reversed), and the same containers start again; no revision is made; a stackd restart keeps them
// stopped; removing the stack keeps its named volume.
import type { Service } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { awaitStarted, awaitStopped, setServicesStopped } from '../../../src/compose/stop-start.js';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { removeStackVolumes } from '../../../src/runtime/stack-volumes.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { eventually, SingleNode } from '../../helpers/stackd.js';

const node = new SingleNode('orchstop');
const stack = node.uniqueName('stp');
let store: Store;

beforeAll(async () => {
  await node.start();
  store = await openStore(node.storeUrl);
});
afterAll(async () => {
  await store?.close();
  await node.cleanup();
});

const yaml = `
services:
  api:
    image: stackd/busybox:latest
    init: true
    command: [sleep, "3600"]
    volumes: [data:/data]
  web:
    image: stackd/busybox:latest
    init: true
    command: [sleep, "3600"]
    depends_on: [api]
    deploy:
      replicas: 2
volumes:
  data: {}
`;

/** service → container ids, and each container's state, from the engine */
async function engineState(): Promise<Map<string, { id: string; running: boolean; startedAt: number; finishedAt: number }[]>> {
  const byService = new Map<string, { id: string; running: boolean; startedAt: number; finishedAt: number }[]>();
  for (const c of await node.containers(stack)) {
    const info = await node.inspect(c.Id);
    const svc = c.Labels['io.stackd.service'];
    byService.set(svc, [
      ...(byService.get(svc) ?? []),
      { id: c.Id, running: info.State.Running, startedAt: Date.parse(info.State.StartedAt), finishedAt: Date.parse(info.State.FinishedAt) },
    ]);
  }
  return byService;
}
const ids = (state: Awaited<ReturnType<typeof engineState>>) => [...state.entries()].flatMap(([svc, cs]) => cs.map((c) => `${svc} ${c.id}`)).sort();
const revisionCounts = async () =>
  Promise.all(['api', 'web'].map(async (name) => (await getObject<Service>(store, 'Service', stack, name))?.status?.revisions?.length));

let before: Awaited<ReturnType<typeof engineState>>;

it(
  'stop keeps every container, exited, stopping web before api; no new revision',
  node.logged(async () => {
    expect((await node.deploy(stack, yaml)).code).toBe(0);
    before = await engineState();
    expect([before.get('api')?.length, before.get('web')?.length]).toEqual([1, 2]);
    const revisions = await revisionCounts();
    expect(revisions).toEqual([1, 1]);

    expect(await setServicesStopped(store, stack, undefined, true)).toEqual(['api', 'web']);
    await awaitStopped(store, stack, undefined, 60_000);

    const after = await engineState();
    expect(ids(after)).toEqual(ids(before));
    expect([...after.values()].flat().filter((c) => c.running)).toEqual([]);
    const lastWebStop = Math.max(...after.get('web')!.map((c) => c.finishedAt));
    expect(lastWebStop).toBeLessThan(after.get('api')![0].finishedAt);

    expect(await revisionCounts()).toEqual(revisions);
    const rows = await node.ps(stack);
    expect(rows.map((r) => [r.name, r.desiredState, r.currentState]).sort()).toEqual([
      [`${stack}_api.1`, 'Stopped', 'Stopped'],
      [`${stack}_web.1`, 'Stopped', 'Stopped'],
      [`${stack}_web.2`, 'Stopped', 'Stopped'],
    ]);
    const services = await node.json<{ name: string; replicas: string }[]>(['service', 'ls']);
    expect(services.filter((s) => s.name.startsWith(`${stack}_`)).map((s) => s.replicas)).toEqual(['0/1 (stopped)', '0/2 (stopped)']);
  }),
);

it(
  'a restart of stackd keeps them stopped',
  node.logged(async () => {
    await node.restart();
    // a stack deployed after the restart converges only once the agent is at work; by then it has
    // looked at every task it had (its first pass lists them all)
    const barrier = node.uniqueName('bar');
    expect((await node.deploy(barrier, 'services:\n  one:\n    image: stackd/busybox:latest\n    init: true\n    command: [sleep, "3600"]\n')).code).toBe(0);
    const after = await engineState();
    expect(ids(after)).toEqual(ids(before));
    expect([...after.values()].flat().filter((c) => c.running)).toEqual([]);
    expect((await node.ps(stack)).map((r) => r.currentState)).toEqual(['Stopped', 'Stopped', 'Stopped']);
    expect((await node.stackctl(['rm', barrier])).code).toBe(0);
  }),
);

it(
  'start runs the same containers again, api before web; still no new revision',
  node.logged(async () => {
    const revisions = await revisionCounts();
    expect(await setServicesStopped(store, stack, undefined, false)).toEqual(['api', 'web']);
    await awaitStarted(store, stack, undefined, 60_000);
    const after = await engineState();
    expect(ids(after)).toEqual(ids(before));
    expect([...after.values()].flat().every((c) => c.running)).toBe(true);
    const firstWebStart = Math.min(...after.get('web')!.map((c) => c.startedAt));
    expect(after.get('api')![0].startedAt).toBeLessThan(firstWebStart);
    expect(await revisionCounts()).toEqual(revisions);
    expect((await node.ps(stack)).map((r) => [r.desiredState, r.currentState])).toEqual([
      ['Running', 'Running'],
      ['Running', 'Running'],
      ['Running', 'Running'],
    ]);
  }),
);

it(
  'stop of one service stops only it (its dependents keep running, as in Compose); unknown names are refused',
  node.logged(async () => {
    await expect(setServicesStopped(store, stack, ['api', 'nope'], true)).rejects.toThrow(`no such service: ${stack}_nope`);
    await expect(setServicesStopped(store, `${stack}x`, undefined, true)).rejects.toThrow(`no such stack: ${stack}x`);
    expect(await setServicesStopped(store, stack, ['api'], true, { timeoutSeconds: 1 })).toEqual(['api']);
    await awaitStopped(store, stack, ['api'], 60_000);
    const after = await engineState();
    expect(after.get('api')!.map((c) => c.running)).toEqual([false]);
    expect(after.get('web')!.map((c) => c.running)).toEqual([true, true]);
    expect(await setServicesStopped(store, stack, ['api'], true)).toEqual([]); // already so
    expect(await setServicesStopped(store, stack, ['api'], false)).toEqual(['api']);
    await awaitStarted(store, stack, undefined, 60_000);
    expect(ids(await engineState())).toEqual(ids(before));
  }),
);

it(
  'removing the stack keeps its named volume; removeStackVolumes removes it',
  node.logged(async () => {
    expect((await node.stackctl(['rm', stack])).code).toBe(0);
    await eventually(async () => expect(await node.engineObjects(stack)).toEqual({ containers: [], networks: [], volumes: [`${stack}_data`] }));
    expect(await removeStackVolumes(DockerRuntime.connect(), stack, await node.clusterId())).toEqual([`${stack}_data`]);
    expect((await node.engineObjects(stack)).volumes).toEqual([]);
  }),
);
