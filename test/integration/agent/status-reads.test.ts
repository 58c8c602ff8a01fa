// The agent reads a task from the Store only when it cannot know it: a task assigned while the
// agent runs is the assignment copy the manager wrote in the same transaction (no read), a task it
// finds at start-up is read once. And it asks the engine about a new task once, after starting
// it: not before (it has no container yet), nor for the events its own create and start caused. Real etcd, real manager process, one agent over a SIMULATED
// container runtime (src/sim: nothing runs) and a real Store client that counts its reads. The
// garbage collector reads the node's assignments only when the watch cache leaves something to
// collect.
import type { ChildProcess } from 'node:child_process';
import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignmentPrefix, CLUSTER_ID_KEY, heartbeatKey, kindPrefix } from '../../../src/api/keys.js';
import type { Task } from '../../../src/api/objects.js';
import { runAgent } from '../../../src/agent/agent.js';
import { decodeObject } from '../../../src/client/codec.js';
import { createLogger } from '../../../src/log.js';
import { HollowRuntime } from '../../../src/sim/hollow-runtime.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { eventually } from '../../helpers/cluster.js';
import { managerProcess, stackctl, stopProcess } from '../../helpers/cli.js';
import { EtcdProcess } from '../store/etcd-process.js';
// what the agent imports once registered, linked up front (jest's ESM vm modules: see src/sim/hollow-nodes.ts)
import '../../../src/sim/hollow-nodes.js';

jest.setTimeout(180_000);

const STACK = 'reads';
const NODE = 'reads-0';
const dir = mkdtempSync(join(tmpdir(), 'stackd-status-reads-'));
const runtime = new HollowRuntime(NODE, { startDelayMs: 20 });
/** engine inspects the agent made (the simulated engine's, counted) */
let inspects = 0;
const inspect = runtime.inspect.bind(runtime);
runtime.inspect = (name) => {
  inspects++;
  return inspect(name);
};
let etcd: EtcdProcess;
let manager: ChildProcess;
let store: Store;
let agentStore: Store;
let agent: { stop: AbortController; done: Promise<void> } | undefined;
/** task keys the agent's Store client was asked for, in order */
let taskReads: string[] = [];
/** lists of this node's assignments (the watch cache's first list, and the collector's reads) */
let assignmentLists = 0;
/** the collector's rounds: each lists the engine's containers */
let engineLists = 0;
const listManaged = runtime.listManaged.bind(runtime);
runtime.listManaged = (f) => {
  engineLists++;
  return listManaged(f);
};

/** the agent's real Store client, with its gets of task keys recorded */
function counting(inner: Store): Store {
  const tasks = kindPrefix('Task');
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'get')
        return (key: string) => {
          if (key.startsWith(tasks)) taskReads.push(key);
          return target.get(key);
        };
      if (prop === 'list')
        return (prefix: string) => {
          if (prefix === assignmentPrefix(NODE)) assignmentLists++;
          return target.list(prefix);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function startAgent(): void {
  const stop = new AbortController();
  const done = runAgent(counting(agentStore), { nodeName: NODE, runtime, heartbeatTtlSeconds: 10, log: createLogger('agent', 'error') }, stop.signal);
  agent = { stop, done };
}

async function wanted(): Promise<Task[]> {
  return (await store.list(kindPrefix('Task', STACK))).items.map((kv) => decodeObject<Task>(kv)).filter((t) => t.spec.desiredState === 'running');
}

const running = (n: number) => async () => {
  const tasks = await wanted();
  return tasks.length === n && tasks.every((t) => t.status?.state === 'running');
};

beforeAll(async () => {
  etcd = await EtcdProcess.start({ defaultLimits: true });
  const url = `etcd://${etcd.endpoint}`;
  manager = managerProcess(url, join(dir, 'manager.log'));
  store = await openStore(url);
  agentStore = await openStore(url);
  startAgent();
});

afterAll(async () => {
  agent?.stop.abort();
  await agent?.done.catch(() => undefined);
  await agentStore?.close();
  await store?.close();
  await stopProcess(manager);
  await etcd?.stop();
});

it('reads no task assigned while it runs, and still reports each one to running', async () => {
  const file = join(dir, 'stack.yml');
  writeFileSync(file, 'services:\n  web:\n    image: stackd/busybox:latest\n    command: ["sleep", "1d"]\n    deploy:\n      replicas: 12\n');
  const deployed = await stackctl(['--store', `etcd://${etcd.endpoint}`, 'deploy', '-d', '-c', file, STACK]);
  expect(deployed.stderr).toBe('');
  await eventually(running(12), '12 tasks running', 120_000, 200);
  expect(taskReads).toEqual([]);
  // a task no agent has touched has no container to look for: one inspect, after the start, sees
  // it running; the engine's create and start events are the agent's own echo and cost none (the
  // next resync is 10 s away)
  expect(inspects).toBe(12);
  expect(runtime.starts).toBe(12);
});

it('a restarted agent reads each task it finds once, and changes none of them', async () => {
  const before = await wanted();
  agent!.stop.abort();
  await agent!.done;
  // as when the old agent's process is gone: its claim on the node name may be taken at once (in
  // this one process its pid would still look alive: node-claim.ts)
  await store.txn([{ op: 'delete', key: heartbeatKey(NODE) }]);
  taskReads = [];
  assignmentLists = 0;
  engineLists = 0;
  inspects = 0;
  startAgent();
  const keys = before.map((t) => `${kindPrefix('Task', STACK)}${t.metadata.name}`).sort();
  await eventually(async () => taskReads.length >= keys.length, 'the restarted agent has looked at every task', 60_000, 100);
  // a full resync (every 10 s) would read again, and report again if it planned on a wrong state
  await new Promise((r) => setTimeout(r, 11_000));
  expect([...taskReads].sort()).toEqual(keys);
  const after = await wanted();
  expect(after.map((t) => [t.metadata.name, t.metadata.resourceVersion, t.status?.timestamp])).toEqual(
    before.map((t) => [t.metadata.name, t.metadata.resourceVersion, t.status?.timestamp]),
  );
  expect(runtime.starts).toBe(12);
  // each task inspected once, at start-up; the resync 10 s later listed the containers, found every
  // task running as reported, and inspected none (it used to inspect all 12 again)
  expect(inspects).toBe(12);
  // the collector's round at start-up found the 12 containers assigned in the watch cache: it did
  // not read the assignments again (the cache's own first list is the one)
  expect(engineLists).toBeGreaterThanOrEqual(1);
  expect(assignmentLists).toBe(1);
});

it('tasks assigned after the restart are not read either', async () => {
  taskReads = [];
  inspects = 0;
  const scaled = await stackctl(['--store', `etcd://${etcd.endpoint}`, 'service', 'scale', `${STACK}_web=16`]);
  expect(scaled.code).toBe(0);
  await eventually(running(16), '16 tasks running', 60_000, 200);
  expect(taskReads).toEqual([]);
  expect(inspects).toBe(4);
  expect(runtime.starts).toBe(16);
});

it('a container of no assigned task is collected, on a fresh read of the assignments', async () => {
  const cluster = (await store.get(CLUSTER_ID_KEY))!.value;
  const lists = assignmentLists;
  const labels = { 'io.stackd.cluster': cluster, 'io.stackd.node': NODE, 'io.stackd.stack': STACK, 'io.stackd.service': 'web', 'io.stackd.task': 'stray1' };
  // its start event (not the agent's own) makes the agent look at it, find no assignment and ask
  // for a collection
  await runtime.start(await runtime.createContainer({ name: `${STACK}_web.99.stray1`, Image: 'stackd/busybox:latest', Labels: labels }));
  await eventually(async () => !(await runtime.inspect(`${STACK}_web.99.stray1`)), 'the stray container removed', 30_000, 100);
  expect(assignmentLists).toBeGreaterThan(lists);
  expect((await wanted()).filter((t) => t.status?.state === 'running')).toHaveLength(16);
});
