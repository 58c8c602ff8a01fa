// Real processes (hack/cluster-up.sh: three TLS etcd members, a manager beside each, an agent on the
// local engine), one cluster for two faults during rolling updates:
//  - kill -9 of the leading manager mid-rollout: another leads and finishes it;
//  - the leader paused (SIGSTOP) past its lease mid-rollout while another takes over and changes
//    the service, then resumed: nothing the old leader meant to write lands (fencing).
// All along, a sampler checks that no slot ever has two running tasks (Store) or two running
// containers (engine). No timing is asserted: the figures are in hack/bench-failover.sh.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { Task } from '../../../src/api/objects.js';
import { kindPrefix, MANAGER_ELECTION } from '../../../src/api/keys.js';
import { decodeObject } from '../../../src/client/codec.js';
import { openStore } from '../../../src/store/open.js';
import { electionPrefix } from '../../../src/store/store-election.js';
import type { Store, WatchMessage } from '../../../src/store/store.js';
import { ROOT, run, tempDir } from '../../helpers/cli.js';
import { freePort } from '../../helpers/stackd.js';
import { eventually } from '../../helpers/cluster.js';
import { appStack, running, serviceOf, tagImages, tasksOf, V1, V2, V3 } from '../rollout/helpers.js';
import { firstValueFrom, filter, takeWhile, toArray, timeout } from 'rxjs';

const exec = promisify(execFile);
const dir = join(tempDir('stackd-ha-'), 'cluster');
const nodeName = `ha-${process.pid}`;
const stack = `harf${process.pid}`;
const docker = new Dockerode();
let store: Store;
let env: Record<string, string>;
const violations: string[] = [];
let sampling = true;
let sampler: Promise<void> = Promise.resolve();

const pidOf = (i: number) => Number(readFileSync(join(dir, `manager-${i}.pid`), 'utf8'));
const logOf = (i: number) => readFileSync(join(dir, `manager-${i}.log`), 'utf8');
const stackctl = (...args: string[]) => run('stackctl', args, env);

/** Index (0-2) of the manager that leads now, by its election key (identity host-pid). */
async function leader(): Promise<number> {
  const { items } = await store.list(electionPrefix(MANAGER_ELECTION));
  const first = items.sort((a, b) => a.createRevision - b.createRevision)[0]?.value;
  return [0, 1, 2].find((i) => first?.endsWith(`-${pidOf(i)}`)) ?? -1;
}

/** Slots with more than one running task (Store) or running container (engine), as text. */
async function twoPerSlot(): Promise<string[]> {
  const out: string[] = [];
  const count = (slots: (string | number | undefined)[], where: string) => {
    const n = new Map<string, number>();
    for (const s of slots) n.set(String(s), (n.get(String(s)) ?? 0) + 1);
    for (const [slot, k] of n) if (k > 1) out.push(`${where}: slot ${slot} has ${k} running`);
  };
  const tasks = await tasksOf(store, stack).catch(() => undefined);
  if (tasks)
    count(
      running(tasks).map((t) => t.spec.slot),
      'store',
    );
  const containers = await docker.listContainers({ filters: { label: [`io.stackd.stack=${stack}`], status: ['running'] } });
  count(
    containers.map((c) => c.Labels['io.stackd.slot']),
    'engine',
  );
  return out;
}

async function deploy(image: string, replicas: number, ...flags: string[]): Promise<void> {
  const file = join(dir, '..', `${stack}.yaml`);
  writeFileSync(file, appStack(image, `replicas: ${replicas}\nupdate_config: {parallelism: 1, delay: 2s, monitor: 1s}`));
  const res = await stackctl('deploy', '-c', file, ...flags, stack);
  if (res.code !== 0) throw new Error(`deploy exited ${res.code}: ${res.stderr}`);
}

/** Waits until the rollout to `image` has updated at least one slot, so it is mid-way. */
async function midRollout(): Promise<void> {
  await eventually(
    async () => {
      const u = (await serviceOf(store, stack)).status?.update;
      return u?.state === 'updating' && (u.updated ?? 0) >= 1;
    },
    'the rollout under way',
    60_000,
    100,
  );
}

async function rolledOut(image: string, replicas: number): Promise<Task[]> {
  const res = await stackctl('rollout', 'status', `${stack}_app`, '--timeout', '120s');
  expect({ code: res.code, stdout: res.stdout }).toEqual({ code: 0, stdout: `${stack}_app: rollout complete\n` });
  const tasks = await tasksOf(store, stack);
  expect(
    running(tasks)
      .map((t) => [t.spec.slot, t.spec.template.image])
      .sort(),
  ).toEqual(Array.from({ length: replicas }, (_, i) => [i + 1, image]));
  expect(tasks.filter((t) => t.spec.desiredState === 'running')).toHaveLength(replicas);
  const containers = await docker.listContainers({ filters: { label: [`io.stackd.stack=${stack}`], status: ['running'] } });
  expect(containers.map((c) => c.Labels['io.stackd.task']).sort()).toEqual(
    running(tasks)
      .map((t) => t.metadata.name)
      .sort(),
  );
  return tasks;
}

beforeAll(async () => {
  await tagImages();
  await exec('bash', [join(ROOT, 'hack/cluster-up.sh'), dir], { env: { ...process.env, BASE_PORT: String(await freePort()), AGENT: nodeName }, timeout: 60_000 });
  env = Object.fromEntries([...readFileSync(join(dir, 'env'), 'utf8').matchAll(/(STACKD_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  const c = join(dir, 'certs');
  store = await openStore(env.STACKD_STORE, { storeCacert: join(c, 'ca.crt'), storeCert: join(c, 'client.crt'), storeKey: join(c, 'client.key') });
  sampler = (async () => {
    while (sampling) {
      violations.push(...(await twoPerSlot().catch(() => [])));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
}, 90_000);

afterAll(async () => {
  sampling = false;
  await sampler;
  for (const i of [0, 1, 2])
    try {
      process.kill(pidOf(i), 'SIGCONT');
    } catch {
      /* killed earlier */
    } // in case a test failed mid-pause
  await stackctl('rm', stack).catch(() => undefined);
  await eventually(
    async () => (await docker.listContainers({ all: true, filters: { label: [`io.stackd.stack=${stack}`] } })).length === 0,
    'the stack removed',
    30_000,
  ).catch(() => undefined);
  await store?.close();
  await exec('bash', [join(ROOT, 'hack/cluster-down.sh'), dir], { timeout: 60_000 });
  for (const c of await docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${nodeName}`] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}, 120_000);

describe('three managers, three TLS etcd members, faults during rolling updates', () => {
  it('kill -9 of the leading manager mid-rollout: another leads and finishes it, one task per slot throughout', async () => {
    await eventually(async () => (await leader()) >= 0, 'a leader', 60_000);
    await deploy(V1, 3);
    await rolledOut(V1, 3);
    await deploy(V2, 3, '--detach');
    await midRollout();
    const dead = await leader();
    process.kill(pidOf(dead), 'SIGKILL');
    const next = await eventually(
      async () => {
        const l = await leader();
        return l >= 0 && l !== dead ? l : false;
      },
      'another leader',
      60_000,
    );
    await eventually(() => logOf(next).includes(`-${pidOf(next)} is the leader`), 'its log to say it leads', 30_000);
    const tasks = await rolledOut(V2, 3);
    // each slot replaced once: one V1 (history) and one V2 task
    expect(
      tasks
        .filter((t) => t.spec.template.image === V2)
        .map((t) => t.spec.slot)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(violations).toEqual([]);
  }, 240_000);

  it('a leader paused past its lease mid-rollout and resumed after another changed the service: none of its writes land', async () => {
    await deploy(V3, 3, '--detach');
    await midRollout();
    const old = await leader();
    process.kill(pidOf(old), 'SIGSTOP');
    let resumed = false;
    try {
      const next = await eventually(
        async () => {
          const l = await leader();
          return l >= 0 && l !== old ? l : false;
        },
        'another leader',
        60_000,
      );
      await eventually(() => logOf(next).includes(`-${pidOf(next)} is the leader`), 'its log to say it leads', 30_000);
      // the new leader's change: back to V2 on two replicas
      await deploy(V2, 2);
      await rolledOut(V2, 2);
      const { revision: r0 } = await store.list(kindPrefix('Task', stack));
      const lostBefore = logOf(old).split('leadership lost').length;
      process.kill(pidOf(old), 'SIGCONT');
      resumed = true;
      // it notices, stops its controllers and campaigns again as a standby
      await eventually(() => logOf(old).split('leadership lost').length > lostBefore, 'the old leader to log leadership lost', 30_000);
      await eventually(
        async () => (await store.list(electionPrefix(MANAGER_ELECTION))).items.some((kv) => kv.value.endsWith(`-${pidOf(old)}`)),
        'the old leader to campaign again',
        30_000,
      );
      expect(await leader()).toBe(next);

      // every task write since the resume: none is the old leader's (it knew only V3 on 3 slots)
      // up to the last write of a task still there (the watch reports revisions of its own keys only)
      const r1 = Math.max(0, ...(await store.list(kindPrefix('Task', stack))).items.map((kv) => kv.modRevision));
      const events =
        r1 > r0
          ? await firstValueFrom(
              store.watch(kindPrefix('Task', stack), r0 + 1).pipe(
                filter((m): m is Extract<WatchMessage, { type: 'events' }> => m.type === 'events'),
                takeWhile((m) => m.revision < r1, true),
                toArray(),
                timeout(30_000),
              ),
            )
          : [];
      const written = events
        .flatMap((m) => m.events)
        .filter((e) => e.type === 'put')
        .map((e) => ({ kv: e.kv, task: decodeObject<Task>(e.kv) }));
      const stale = written.filter(
        ({ kv, task }) =>
          (kv.createRevision > r0 && task.spec.template.image !== V2) ||
          (task.spec.slot === 3 && task.spec.desiredState === 'running') ||
          (task.spec.template.image === V2 && task.spec.desiredState !== 'running'),
      );
      expect(stale.map(({ kv }) => kv.key)).toEqual([]);
      await rolledOut(V2, 2);
      expect(violations).toEqual([]);
    } finally {
      if (!resumed) process.kill(pidOf(old), 'SIGCONT');
    }
  }, 300_000);
});
