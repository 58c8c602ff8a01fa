// An agent that cannot reach its store collects nothing: a container of its own cluster and node
// whose task is not assigned (a stray) is removed while etcd answers, and left alone while etcd is
// down, however often the collector is asked; once etcd is back, it goes. Real processes: etcd,
// stackd, the host's engine.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { CLUSTER_ID_KEY } from '../../../src/api/keys.js';
import { openStore } from '../../../src/store/open.js';
import { tempDir } from '../../helpers/cli.js';
import { eventually, StackdProcess } from '../../helpers/stackd.js';
import { EtcdProcess } from '../store/etcd-process.js';

jest.setTimeout(180_000);

const docker = new Dockerode();
const NODE = `idlost${process.pid.toString(36)}`;
const STACK = `idlost${process.pid % 10000}`;
const dir = tempDir('stackd-lost-');
let etcd: EtcdProcess;
let stackd: StackdProcess;
let cluster: string;

beforeAll(async () => {
  etcd = await EtcdProcess.start();
  stackd = await StackdProcess.start(`etcd://${etcd.endpoint}`, NODE, join(dir, 'stackd.log'));
  const store = await openStore(`etcd://${etcd.endpoint}`);
  cluster = (await store.get(CLUSTER_ID_KEY))!.value;
  await store.close();
}, 60_000);

afterAll(async () => {
  await stackd?.stop().catch(() => stackd?.kill());
  await etcd?.stop();
  for (const c of await docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${NODE}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}, 60_000);

/** A running container labelled as this cluster's, on this node, for a task the store never
 *  assigned; its start event makes the agent look at it (and ask for a collection: a create event
 *  is taken for the agent's own, and the collector's own round is 30 s away). */
async function stray(task: string): Promise<string> {
  const labels = { 'io.stackd.cluster': cluster, 'io.stackd.node': NODE, 'io.stackd.stack': STACK, 'io.stackd.service': 'app', 'io.stackd.task': task };
  const c = await docker.createContainer({ name: `${STACK}_app.1.${task}`, Image: 'stackd/busybox:latest', Cmd: ['sleep', '60'], Labels: labels });
  await c.start();
  return c.id;
}

const exists = async (id: string) => (await docker.listContainers({ all: true, filters: { id: [id] } })).length === 1;
const log = () => readFileSync(stackd.logFile, 'utf8');
const logSince = (from: number) => log().slice(from);

it('collects a stray while the store answers, nothing while it is unreachable, and the stray once it is back', async () => {
  try {
    const first = await stray('stray1');
    await eventually(async () => !(await exists(first)), 30_000);

    await etcd.halt();
    const mark = log().length;
    const second = await stray('stray2');
    // the collector was asked (the stray's create event) and declined, more than once
    await eventually(() => (logSince(mark).match(/not collecting/g) ?? []).length >= 2, 60_000);
    expect(await exists(second)).toBe(true);
    expect(logSince(mark)).not.toContain(`removing container ${STACK}_app.1.stray2`);

    await etcd.resume();
    await eventually(async () => !(await exists(second)), 90_000);
  } catch (err) {
    if (err instanceof Error) err.message += `\n\n${stackd.logTail(40)}`;
    throw err;
  }
});
