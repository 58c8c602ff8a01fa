// hack/lib/nodes.sh: Docker hosts in network namespaces, each with its own engine, independent of
// each other and reachable at their own address. This file starts its own two nodes (indices 101
// and 102, so other tests' nodes are left alone) and wipes them after.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { containerCreateOptions, type ContainerContext } from '../../../src/runtime/docker-spec.js';
import { networkSettings } from '../../../src/runtime/resource-spec.js';
import { service, task } from '../../unit/runtime/fixtures.js';
import { cleanupStack, nextEvent, runTask } from './helpers.js';

jest.setTimeout(120_000);

const nodes = [
  { name: 'rt-node-a', index: 101, address: '10.250.0.111', zone: 'east' },
  { name: 'rt-node-b', index: 102, address: '10.250.0.112', zone: 'west' },
];

function nodesSh(script: string): string {
  return execFileSync('bash', ['-c', `set -e; source hack/lib/nodes.sh; ${script}`], { encoding: 'utf8' });
}

/** As nodesSh, leaving the event loop free (streams stay served meanwhile). */
async function nodesShAsync(script: string): Promise<void> {
  await promisify(execFile)('bash', ['-c', `set -e; source hack/lib/nodes.sh; ${script}`]);
}

const stack = 'nodes';
const runtimes = nodes.map((n) => DockerRuntime.connect(`unix:///run/stackd-${n.name}.sock`));
const ctx = (node: string): ContainerContext => ({ nodeName: node, clusterId: 'c1', networkNames: { default: 'nodes_default' }, volumeNames: {} });
const web = (id: string) =>
  task({
    stack,
    service: 'web',
    id,
    template: service({ image: 'stackd/accounts-api:dev', ports: [{ target: 80, published: 18080, protocol: 'tcp', mode: 'host' }] }),
  });

beforeAll(() => {
  for (const n of nodes) nodesSh(`start_node ${n.name} ${n.index} --label zone=${n.zone}`);
});

afterAll(() => {
  for (const n of nodes) nodesSh(`wipe_node ${n.name}`);
});

describe('nodes from hack/lib/nodes.sh', () => {
  it('each have their own engine: hostname, labels, images, and an address', async () => {
    for (const [i, n] of nodes.entries()) {
      const info = await runtimes[i].engineInfo();
      expect(info).toMatchObject({ hostname: n.name, labels: { zone: n.zone } });
      await runtimes[i].ensureImage('stackd/busybox:latest'); // loaded by start_node: no pull
      expect(nodesSh(`node_address ${n.name}`).trim()).toBe(n.address);
    }
  });

  it('run containers independently, each published at its node address', async () => {
    const ids: string[] = [];
    for (const [i, n] of nodes.entries()) {
      await runtimes[i].ensureNetwork('nodes_default', networkSettings(stack, { name: 'nodes_default', driver_opts: {}, external: false, labels: {} }));
      // the same task id and port on both: no conflict across engines
      ids.push(await runTask(runtimes[i], web('same'), ctx(n.name)));
    }
    expect(ids[0]).not.toBe(ids[1]);
    for (const [i, n] of nodes.entries()) {
      const listed = await runtimes[i].listManaged({ stack });
      expect(listed.map((c) => [c.id, c.task.node])).toEqual([[ids[i], n.name]]);
      const answer = await waitForHttp(`http://${n.address}:18080/`);
      expect(answer).toMatchObject({ service: 'accounts-api', hostname: ids[i].slice(0, 12) });
    }
    // a container stopped on one node leaves the other's running, and only its node hears of it
    const heardOnB: string[] = [];
    const sub = runtimes[1].events$({ since: new Date() }).subscribe((e) => heardOnB.push(`${e.action} ${e.id}`));
    const diedOnA = nextEvent(runtimes[0].events$({ since: new Date() }), (e) => e.action === 'die');
    await runtimes[0].stop(ids[0], 5);
    expect((await diedOnA).id).toBe(ids[0]);
    sub.unsubscribe();
    expect(heardOnB).toEqual([]);
    expect((await runtimes[1].inspect(ids[1]))?.running).toBe(true);
    expect((await runtimes[0].inspect(ids[0]))?.running).toBe(false);
    for (const rt of runtimes) await cleanupStack(rt, stack);
  });

  it('keep an event stream across an engine restart', async () => {
    const lost: string[] = [];
    const events$ = runtimes[0].events$({ since: new Date(), backoff: { delayMs: () => 100 }, onDisconnect: (e) => lost.push(e.message) });
    const t = task({ stack, service: 'after', id: 'restart1', template: service({ command: ['true'] }) });
    // a bound on waiting across an engine restart, which is slow on a loaded machine
    const started = nextEvent(events$, (e) => e.task?.taskId === 'restart1' && e.action === 'start', 120_000);
    // the stream is live once it reports a container created after subscribing
    const before = task({ stack, service: 'before', id: 'restart0', template: service({ command: ['true'] }) });
    const created = nextEvent(events$, (e) => e.task?.taskId === 'restart0' && e.action === 'create');
    await runtimes[0].ensureNetwork('nodes_default', networkSettings(stack, { name: 'nodes_default', driver_opts: {}, external: false, labels: {} }));
    await runtimes[0].createContainer(containerCreateOptions(before, ctx(nodes[0].name)));
    await created;
    await nodesShAsync(`stop_node ${nodes[0].name}; start_node ${nodes[0].name} ${nodes[0].index} --label zone=${nodes[0].zone}`);
    await runtimes[0].ensureNetwork('nodes_default', networkSettings(stack, { name: 'nodes_default', driver_opts: {}, external: false, labels: {} }));
    const id = await runTask(runtimes[0], t, ctx(nodes[0].name));
    expect((await started).id).toBe(id);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost[0]).toMatch(/event stream|unreachable/);
    await cleanupStack(runtimes[0], stack);
  }, 180_000);

  it('fail a pull at once (no route out of a node)', async () => {
    await expect(runtimes[0].ensureImage('stackd/not-here:1')).rejects.toThrow(/^No such image: stackd\/not-here:1 \(pull failed: .*network is unreachable/);
  });
});

/** The node's port answers once its container's server is up (the api takes up to 2 s: its
 *  db probe waits out a DNS lookup that has no upstream on a node). */
async function waitForHttp(url: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json();
    } catch (err) {
      if (attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
