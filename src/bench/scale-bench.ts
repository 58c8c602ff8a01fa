// bench:scale: N hollow nodes (src/sim: the real agent over simulated containers) in P processes, a
// real manager process, stacks totalling M replicas. Prints each figure with the machine's load,
// and the in-memory scheduler on the same tasks and nodes as the baseline. Run by hack/bench-scale.sh.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { heartbeatKey, kindPrefix } from '../api/keys.js';
import type { Node, Task } from '../api/objects.js';
import { decodeObject } from '../client/codec.js';
import { schedule } from '../scheduler/schedule.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { CpuSplit, etcdCounters, etcdWork, load, procStats, RssSampler, spawnHollow, spawnManager, stackctl, storeSizeMiB } from './scale-procs.js';
import { type ScaleStack, scaleStacks } from './scale-stacks.js';
import { hollowGroups } from '../sim/hollow-nodes.js';
import { LeaseLapses, PLACED, percentile, TaskTracker } from './scale-tracker.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    nodes: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '10000' },
    /** hollow-node processes, each with 5 groups of nodes: the crash of one group is the loss
     *  of 1/(5P) of the nodes (10% with the default 2) */
    processes: { type: 'string', default: '2' },
    'heartbeat-ttl': { type: 'string', default: '5' },
    'start-delay-ms': { type: 'string', default: '100' },
    out: { type: 'string', default: '/tmp/stackd-bench-scale' },
    /** etcd's pid (hack/bench-scale.sh): its CPU seconds join the placement's breakdown */
    'etcd-pid': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    /** stop after placement and running (quick A/B runs of the placement path) */
    'placement-only': { type: 'boolean', default: false },
    /** the node loss right after placement, without the rolling update before it (A/B runs of it) */
    'skip-update': { type: 'boolean', default: false },
  },
});
const storeUrl = values.store!;
const N = Number(values.nodes);
const M = Number(values.tasks);
const P = Math.max(1, Number(values.processes));
const GROUPS = 5;
const out = values.out!;
mkdirSync(out, { recursive: true });

const say = (label: string, value: string) => console.log(`${label.padEnd(34)} ${value.padEnd(30)} (${load()})`);
const secs = (ms: number) => (ms < 0 ? 'TIMEOUT' : `${(ms / 1000).toFixed(2)} s`);
const TIMEOUT = Math.max(120_000, M * 3);
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running = (t: { desired: string; state: string }) => t.desired === 'running' && t.state === 'running';
type HollowProc = { proc: ChildProcess; first: number; count: number };
/** the processes whose CPU seconds each phase prints, by what they are */
type ProcGroups = Record<string, number[]>;

async function readyNodes(store: Store): Promise<string[]> {
  const [nodes, beats] = await Promise.all([store.list(kindPrefix('Node')), store.list(heartbeatKey(''))]);
  const alive = new Set(beats.items.map((kv) => kv.key));
  return nodes.items
    .map((kv) => decodeObject<Node>(kv))
    .filter((n) => n.status?.state === 'ready' && alive.has(heartbeatKey(n.metadata.name)))
    .map((n) => n.metadata.name);
}

/** the scheduler alone, in memory, on this run's tasks made pending again and its nodes */
async function inMemoryBaseline(store: Store): Promise<number> {
  const [tasks, nodes] = await Promise.all([store.list(kindPrefix('Task')), store.list(kindPrefix('Node'))]);
  const all = tasks.items.map((kv) => decodeObject<Task>(kv)).filter((t) => t.spec.desiredState === 'running');
  const pending = all.map((t) => ({ ...t, spec: { ...t.spec, nodeName: undefined }, status: { ...t.status!, state: 'pending' as const } }));
  const t0 = performance.now();
  const result = schedule(
    pending,
    nodes.items.map((kv) => decodeObject<Node>(kv)),
    pending,
  );
  const ms = performance.now() - t0;
  return result.assignments.length / (ms / 1000);
}

async function main(): Promise<void> {
  const store = await openStore(storeUrl);
  const stacks = scaleStacks(M);
  const largest = stacks[0];
  console.log(
    `bench:scale ${N} hollow nodes in ${P} processes, ${M} tasks in ${stacks.length} stack(s), store ${storeUrl}, start delay ${values['start-delay-ms']} ms`,
  );

  const manager = spawnManager(storeUrl, out, values['cpu-prof']!);
  children.push(manager);
  const t0 = Date.now();
  const procs = hollowGroups(0, N, P).map(({ first, count }): HollowProc => {
    const proc = spawnHollow(
      storeUrl,
      out,
      { prefix: 'hollow-', first, count, groups: GROUPS, startDelayMs: Number(values['start-delay-ms']), heartbeatTtl: Number(values['heartbeat-ttl']) },
      values['cpu-prof']! && first === 0,
    );
    children.push(proc);
    return { proc, first, count };
  });
  for (;;) {
    if ((await readyNodes(store)).length >= N) break;
    if (Date.now() - t0 > TIMEOUT) throw new Error(`only ${(await readyNodes(store)).length} of ${N} nodes ready`);
    await sleep(250);
  }
  say('nodes registered and ready', secs(Date.now() - t0));

  const tracker = new TaskTracker(store);
  await tracker.start();
  const lapses = new LeaseLapses(store);
  await lapses.start();
  const files = stacks.map((s) => {
    const path = join(out, `${s.name}.yml`);
    writeFileSync(path, s.file(0));
    return path;
  });
  const pids: ProcGroups = { manager: [manager.pid!], 'hollow nodes': procs.map((p) => p.proc.pid!), etcd: values['etcd-pid'] ? [Number(values['etcd-pid'])] : [] };
  const cpu = new CpuSplit(pids);
  const revDeploy = (await store.list('/stackd/none/')).revision;
  const writesDeploy = new Map(tracker.writes);
  const etcdDeploy = await etcdCounters(storeUrl);
  const tDeploy = Date.now();
  // watched while the stacks are written: the first assignment comes long before the last stack
  const timeline = placementTimeline(tracker, tDeploy);
  const firstAssigned = tracker.until(() => tracker.count((t) => t.node !== undefined) > 0, TIMEOUT, tDeploy);
  for (const [i, s] of stacks.entries()) await stackctl(storeUrl, ['deploy', '-d', '-c', files[i], s.name]);
  say('stacks written (stackctl deploy -d)', secs(Date.now() - tDeploy));
  say('first task assigned', secs(await firstAssigned));
  const created = await tracker.until(() => tracker.count((t) => t.desired === 'running') >= M, TIMEOUT, tDeploy);
  say('all tasks created', secs(created));
  const placed = await tracker.until(() => tracker.count((t) => t.desired === 'running' && PLACED.has(t.state)) >= M, TIMEOUT, tDeploy);
  say('all tasks placed', secs(placed));
  say('placement rate', placed < 0 ? 'TIMEOUT' : `${Math.round(M / (placed / 1000))} tasks/s`);
  const txns = (await store.list('/stackd/none/')).revision - revDeploy;
  say('  store transactions while placing', `${txns} (${(txns / M).toFixed(2)} per task)`);
  const etcdPlaced = await etcdCounters(storeUrl);
  if (etcdDeploy && etcdPlaced) say('  etcd while placing', etcdWork(etcdDeploy, etcdPlaced, M));
  say('  CPU seconds while placing', cpu.since());
  const allRunning = await tracker.until(() => tracker.count(running) >= M, TIMEOUT, tDeploy);
  clearInterval(timeline);
  say('all tasks running', secs(allRunning));
  say('  task writes until all running, per task', tracker.writesPerTask(writesDeploy, M));
  say('  heartbeat leases lapsed so far', lapses.summary());

  const median3 = async (args: string[]) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) ms.push(await stackctl(storeUrl, args));
    return ms.sort((a, b) => a - b)[1];
  };
  const ps = await median3(['ps', largest.name]);
  say(`stackctl ps ${largest.name} (${largest.replicas} tasks)`, `${(ps / 1000).toFixed(2)} s`);
  const svc = await median3(['services', largest.name]);
  say(`stackctl services ${largest.name}`, `${(svc / 1000).toFixed(2)} s`);
  say('baseline: scheduler in memory', `${Math.round(await inMemoryBaseline(store))} tasks/s`);

  if (values['placement-only']) return finish(manager, store, tracker, lapses);

  if (!values['skip-update']) await rollingUpdate(manager, stacks, files, tracker, pids);
  await nodeLoss(store, procs, tracker, pids, lapses);
  await finish(manager, store, tracker, lapses);
}

/** every 10 s until stopped: how many tasks exist, are placed and run (where the placement's time
 *  goes: the writing of the stacks, the manager's creation, the nodes' starts) */
function placementTimeline(tracker: TaskTracker, since: number): NodeJS.Timeout {
  return setInterval(() => {
    const created = tracker.count((t) => t.desired === 'running');
    const placed = tracker.count((t) => t.desired === 'running' && PLACED.has(t.state));
    say(`  at ${secs(Date.now() - since)}`, `${created} created, ${placed} placed, ${tracker.count(running)} running`);
  }, 10_000);
}

/** a rolling update of every task (parallelism 100 per service) */
async function rollingUpdate(manager: ChildProcess, stacks: ScaleStack[], files: string[], tracker: TaskTracker, pids: ProcGroups): Promise<void> {
  const cpu = new CpuSplit(pids);
  const oldHashes = new Set([...tracker.tasks.values()].map((t) => t.specHash));
  const lagBefore = tracker.lagMs.length;
  const writesBefore = new Map(tracker.writes);
  const rssDuring = new RssSampler(manager.pid!);
  const tUpdate = Date.now();
  for (const [i, s] of stacks.entries()) {
    writeFileSync(files[i], s.file(1));
    await stackctl(storeUrl, ['deploy', '-d', '-c', files[i], s.name]);
  }
  const updated = await tracker.until(() => tracker.count((t) => running(t) && !oldHashes.has(t.specHash)) >= M, TIMEOUT * 2, tUpdate);
  rssDuring.stop();
  say('rolling update of all (parallelism 100)', secs(updated));
  say('  task writes during the update, per task', tracker.writesPerTask(writesBefore, M));
  say('  CPU seconds during the update', cpu.since());
  const updateLag = tracker.lagMs.slice(lagBefore);
  say('  manager RSS during update (peak)', `${rssDuring.peakMiB.toFixed(0)} MiB`);
  say('  watch lag during update', `p50 ${percentile(updateLag, 50)} ms, p99 ${percentile(updateLag, 99)} ms (${updateLag.length} samples)`);
}

/** the loss of 1/(5P) of the nodes (10% by default): one group of hollow nodes crashes (its
 *  heartbeat leases lapse, nothing is revoked) */
async function nodeLoss(store: Store, procs: HollowProc[], tracker: TaskTracker, pids: ProcGroups, lapses: LeaseLapses): Promise<void> {
  const group = hollowGroups(procs[0].first, procs[0].count, GROUPS).at(-1)!;
  const lostNodes = new Set(Array.from({ length: group.count }, (_, i) => `hollow-${group.first + i}`));
  lapses.exclude(lostNodes);
  const cpu = new CpuSplit(pids);
  const onLost = tracker.count((t) => running(t) && lostNodes.has(t.node ?? ''));
  // when etcd let each lost node's heartbeat go (its lease expired) as a watch sees it: what of the
  // let-go is the lease and the store, and what the manager's grace and writes
  const beatsGone: number[] = [];
  const beats = store.watch(heartbeatKey(''), (await store.list(heartbeatKey(''))).revision + 1).subscribe((msg) => {
    if (msg.type !== 'events') return;
    for (const ev of msg.events) if (ev.type === 'delete' && lostNodes.has(ev.kv.key.slice(heartbeatKey('').length))) beatsGone.push(Date.now());
  });
  const tLoss = Date.now();
  procs[0].proc.kill('SIGUSR2');
  const down = await tracker.until(() => tracker.count((t) => t.desired === 'running' && lostNodes.has(t.node ?? '')) === 0, TIMEOUT, tLoss);
  beats.unsubscribe();
  const gone = beatsGone.length === 0 ? 'none seen' : `first ${secs(beatsGone[0] - tLoss)}, last ${secs(beatsGone.at(-1)! - tLoss)} (${beatsGone.length})`;
  say('  heartbeat keys gone after the crash', gone);
  say(`${lostNodes.size} nodes lost: tasks let go`, secs(down));
  const replaced = await tracker.until(() => tracker.count((t) => running(t) && !lostNodes.has(t.node ?? '')) >= M, TIMEOUT, tLoss);
  say(`${onLost} tasks running elsewhere`, `${secs(replaced)} after the crash, ${secs(replaced - down)} after let go`);
  say('  CPU seconds until then', cpu.since());
}

async function finish(manager: ChildProcess, store: Store, tracker: TaskTracker, lapses: LeaseLapses): Promise<void> {
  const m = procStats(manager.pid!);
  say('manager RSS (now / peak)', `${m.rssMiB.toFixed(0)} / ${m.peakRssMiB.toFixed(0)} MiB`);
  say('manager CPU', `${m.cpuSeconds.toFixed(1)} s`);
  say('store size', `${storeSizeMiB(storeUrl).toFixed(1)} MiB`);
  say('watch lag (status write to watch)', `p50 ${percentile(tracker.lagMs, 50)} ms, p99 ${percentile(tracker.lagMs, 99)} ms (${tracker.lagMs.length} samples)`);
  say('heartbeat leases lapsed', `${lapses.summary()}, not counting the crash`);
  tracker.stop();
  lapses.stop();
  await store.close();
}

async function stopAll(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
}

process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
try {
  await main();
  await stopAll();
  if (values['cpu-prof']) console.log(`manager profile: ${join(out, 'manager.cpuprofile')}`);
} catch (err) {
  console.error(`bench:scale: ${(err as Error).message}`);
  await stopAll();
  process.exit(1);
}
