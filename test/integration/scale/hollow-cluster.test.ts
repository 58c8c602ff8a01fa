// SIMULATION at small scale (the correctness half of bench:scale): 100 hollow nodes (src/sim: the
// real agent over in-memory containers) in this process, a real manager process, an etcd with its
// default limits (128 ops per transaction, 1.5 MiB per request), 5,000 tasks. Asserts only what
// must hold: every task placed once, constraints and spread respected, and after 10 nodes crash,
// every slot running again elsewhere and nothing lost. No timing.
import type { ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeatKey, kindPrefix } from '../../../src/api/keys.js';
import type { Node, Task } from '../../../src/api/objects.js';
import { decodeObject } from '../../../src/client/codec.js';
import { createLogger } from '../../../src/log.js';
import { startHollowNodes, type HollowNodes } from '../../../src/sim/hollow-nodes.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { eventually } from '../../helpers/cluster.js';
import { managerProcess, stackctl, stopProcess } from '../../helpers/cli.js';
import { EtcdProcess } from '../store/etcd-process.js';

jest.setTimeout(600_000);

const STACK = 'hollowscale';
const WEB = 2500; // spread over 4 zones (hollow nodes' zone = index mod 4)
const API = 2500; // held to tier-a nodes (even indices)
const STABLE = 90; // hollow-0..89; hollow-90..99 crash
const dir = mkdtempSync(join(tmpdir(), 'stackd-hollow-'));
let etcd: EtcdProcess;
let manager: ChildProcess;
let store: Store;
const groups: { store: Store; stop: AbortController; nodes: HollowNodes }[] = [];

async function startGroup(url: string, first: number, count: number): Promise<void> {
  const groupStore = await openStore(url);
  const stop = new AbortController();
  setMaxListeners(Infinity, stop.signal);
  const nodes = startHollowNodes(
    groupStore,
    { prefix: 'hollow-', first, count, startDelayMs: 20, heartbeatTtlSeconds: 10, log: createLogger('hollow', 'error') },
    stop.signal,
  );
  groups.push({ store: groupStore, stop, nodes });
}

async function tasks(): Promise<Task[]> {
  return (await store.list(kindPrefix('Task', STACK))).items.map((kv) => decodeObject<Task>(kv));
}

beforeAll(async () => {
  etcd = await EtcdProcess.start({ defaultLimits: true });
  const url = `etcd://${etcd.endpoint}`;
  manager = managerProcess(url, join(dir, 'manager.log'));
  store = await openStore(url);
  await startGroup(url, 0, STABLE);
  await startGroup(url, STABLE, 100 - STABLE);
  await eventually(
    async () => {
      const [nodes, beats] = await Promise.all([store.list(kindPrefix('Node')), store.list(heartbeatKey(''))]);
      return nodes.items.filter((kv) => decodeObject<Node>(kv).status?.state === 'ready').length === 100 && beats.items.length === 100;
    },
    '100 hollow nodes ready',
    120_000,
  );
});

afterAll(async () => {
  for (const g of groups) g.stop.abort();
  await Promise.all(groups.map((g) => g.nodes.done));
  await Promise.all(groups.map((g) => g.store.close()));
  await store?.close();
  await stopProcess(manager);
  await etcd?.stop();
});

/** Checks every invariant on the tasks the manager wants running and the hollow engines. */
async function checkPlacement(lost: ReadonlySet<string>): Promise<void> {
  const wanted = (await tasks()).filter((t) => t.spec.desiredState === 'running');
  // every slot of each service has exactly one task, running on a live node
  for (const [service, replicas] of [
    ['web', WEB],
    ['api', API],
  ] as const) {
    const slots = wanted
      .filter((t) => t.spec.service === service)
      .map((t) => t.spec.slot)
      .sort((a, b) => a! - b!);
    expect(slots).toEqual(Array.from({ length: replicas }, (_, i) => i + 1));
  }
  expect(wanted.filter((t) => t.status?.state !== 'running' || !t.spec.nodeName || lost.has(t.spec.nodeName))).toEqual([]);
  // the constraint: api only on tier-a nodes (even indices)
  const index = (t: Task) => Number(t.spec.nodeName!.slice('hollow-'.length));
  expect(wanted.filter((t) => t.spec.service === 'api' && index(t) % 2 !== 0).map((t) => t.spec.nodeName)).toEqual([]);
  // the spread preference: web balanced over the 4 zones
  const zones = [0, 1, 2, 3].map((z) => wanted.filter((t) => t.spec.service === 'web' && index(t) % 4 === z).length);
  expect(Math.max(...zones) - Math.min(...zones)).toBeLessThanOrEqual(1);
  // placed once: each running task has exactly one running container, on its own node's engine
  const live = groups.filter((g) => !g.stop.signal.aborted).flatMap((g) => g.nodes.runtimes);
  const containers = (
    await Promise.all(live.map(async (r) => (await r.listManaged()).filter((c) => c.state === 'running').map((c) => [c.task.taskId, r.nodeName] as const)))
  ).flat();
  const byTask = new Map<string, string[]>();
  for (const [task, node] of containers) byTask.set(task, [...(byTask.get(task) ?? []), node]);
  expect(wanted.filter((t) => JSON.stringify(byTask.get(t.metadata.name)) !== JSON.stringify([t.spec.nodeName])).map((t) => t.metadata.name)).toEqual([]);
  expect(containers).toHaveLength(WEB + API);
}

const allRunning = (lost: ReadonlySet<string>) => async () => {
  const wanted = (await tasks()).filter((t) => t.spec.desiredState === 'running');
  return wanted.length === WEB + API && wanted.every((t) => t.status?.state === 'running' && !lost.has(t.spec.nodeName ?? ''));
};

it('places 5,000 tasks on 100 hollow nodes once each, within their constraint and spread', async () => {
  const file = join(dir, 'stack.yml');
  const service = (replicas: number, placement: string) =>
    `    image: stackd/busybox:latest\n    command: ["sleep", "1d"]\n    deploy:\n      replicas: ${replicas}\n      placement:\n${placement}`;
  writeFileSync(
    file,
    `services:\n  web:\n${service(WEB, '        preferences:\n          - spread: node.labels.zone\n')}  api:\n${service(API, '        constraints:\n          - node.labels.tier == a\n')}`,
  );
  const deployed = await stackctl(['--store', `etcd://${etcd.endpoint}`, 'deploy', '-d', '-c', file, STACK]);
  expect(deployed.stderr).toBe('');
  expect(deployed.code).toBe(0);
  await eventually(allRunning(new Set()), '5,000 tasks running', 480_000, 1000).catch((err) => {
    throw new Error(`${(err as Error).message}\nmanager log: ${readFileSync(join(dir, 'manager.log'), 'utf8').slice(-2000)}`);
  });
  await checkPlacement(new Set());
});

it('10 nodes crash: their tasks run elsewhere, each slot once, none lost', async () => {
  const crashed = groups[1];
  const lost = new Set(crashed.nodes.runtimes.map((r) => r.nodeName));
  const onLost = (await tasks()).filter((t) => t.spec.desiredState === 'running' && lost.has(t.spec.nodeName ?? '')).length;
  expect(onLost).toBeGreaterThan(0);
  // a crash, not a shutdown: the agents stop and their client closes without revoking the leases
  crashed.stop.abort();
  await crashed.nodes.done;
  await crashed.store.close();
  await eventually(allRunning(lost), `the ${onLost} tasks of the crashed nodes running elsewhere`, 300_000, 1000);
  await checkPlacement(lost);
});
