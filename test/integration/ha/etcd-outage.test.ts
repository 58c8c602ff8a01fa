// Every etcd member stopped (SIGSTOP: connections hang rather than fail, the harder case) for 30 s
// on hack/cluster-up.sh (three TLS members, a manager beside each, an agent), with a deploy queued
// just before and a scale just after: nothing running is touched while the store is away, each
// retry loop logs the outage once (first failure, at most one line every 30 s, the recovery), and
// afterwards both changes land exactly once, never two running per slot.
import { eventually } from '../../helpers/cluster.js';
import { running, tasksOf, V1, V2 } from '../rollout/helpers.js';
import { HaCluster } from './ha-cluster.js';

const OUTAGE_MS = 30_000;
let c: HaCluster;
beforeAll(async () => {
  c = await HaCluster.up('haeo');
}, 90_000);
afterAll(async () => {
  await c?.down();
}, 120_000);

const runningContainers = async () =>
  (await c.docker.listContainers({ filters: { label: [`io.stackd.stack=${c.stack}`], status: ['running'] } })).map((x) => x.Id).sort();
const logs = () => ['manager-0', 'manager-1', 'manager-2', 'agent'].map((n) => [n, c.logOf(n)] as const);

it('every etcd member stopped for 30 s: containers untouched, the outage logged once per loop, a deploy before and a scale after land exactly once', async () => {
  await eventually(async () => (await c.leader()) >= 0, 'a leader', 60_000);
  await c.deploy(V1, 3);
  await c.rolledOut(V1, 3);
  const linesBefore = new Map(logs().map(([n, text]) => [n, text.split('\n').length - 1]));

  await c.deploy(V2, 3, '--detach'); // queued before the outage
  for (const i of [0, 1, 2]) process.kill(c.pidOf(`etcd-${i}`), 'SIGSTOP');
  let resumed = false;
  try {
    // whatever step was in flight at the stop settles; from then on nothing runs or stops
    await new Promise((r) => setTimeout(r, 2_000));
    const during = await runningContainers();
    await new Promise((r) => setTimeout(r, OUTAGE_MS - 2_000));
    expect(await runningContainers()).toEqual(during);
  } finally {
    for (const i of [0, 1, 2]) process.kill(c.pidOf(`etcd-${i}`), 'SIGCONT');
    resumed = true;
  }
  expect(resumed).toBe(true);

  // queued after the outage: a scale, as soon as the store answers again
  await eventually(
    async () => {
      const res = await c.stackctl('service', 'scale', `${c.stack}_app=4`);
      if (res.code !== 0) throw new Error(`exit ${res.code}: ${res.stderr.trim()}`);
      return true;
    },
    'the scale to be accepted',
    60_000,
    1_000,
  );
  const tasks = await c.rolledOut(V2, 4);
  // exactly once: one V2 task per slot (slots 1-3 replaced once, slot 4 added once)
  expect(
    tasks
      .filter((t) => t.spec.template.image === V2)
      .map((t) => t.spec.slot)
      .sort(),
  ).toEqual([1, 2, 3, 4]);
  expect(running(await tasksOf(c.store, c.stack))).toHaveLength(4);
  expect(c.violations).toEqual([]);

  // each loop said it once per episode: a first failure, at most one "still failing" per 30 s, one recovery
  for (const [name, text] of logs()) {
    const outage = text
      .split('\n')
      .slice(linesBefore.get(name))
      .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg: string }).msg : l));
    console.log(`${name}: ${outage.length} log lines during and after the outage:\n${outage.join('\n')}`);
    const firsts = outage.filter((m) => m.includes('; retrying with backoff'));
    const loops = firsts.map((m) => m.slice(0, m.indexOf(':')));
    for (const loop of new Set(loops)) {
      const mine = outage.filter((m) => m.startsWith(`${loop}:`));
      const still = mine.filter((m) => m.includes('still failing'));
      // 30 s of outage: one "still failing" line, two if the periods straddle it
      expect({ name, loop, still: still.length <= 2 }).toEqual({ name, loop, still: true });
      // one first line for the outage; a manager that lost its leadership in it may log one more
      // episode as its next term starts (a write refused or in conflict), each then recovered
      expect({ name, loop, firsts: loops.filter((l) => l === loop).length <= 2 }).toEqual({ name, loop, firsts: true });
    }
    expect({ name, perRetry: outage.filter((m) => /retrying in \d/.test(m)) }).toEqual({ name, perRetry: [] });
  }
}, 300_000);
