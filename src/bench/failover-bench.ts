// npm run bench:failover (hack/bench-failover.sh starts the cluster): on hack/cluster-up.sh's layout
// (three TLS etcd members, a manager beside each, an agent), ROUNDS times: start a rolling update,
// kill -9 the leading manager once the rollout is under way, and time (from the kill) until another
// manager holds the election (its key first) and until it has finished its first reconcile (its
// stackd_reconcile_total on /metrics moves; a standby reconciles nothing). The dead manager is
// started again as a standby before the next round. Prints min / median / max.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANAGER_ELECTION } from '../api/keys.js';
import type { Service } from '../api/objects.js';
import { getObject } from '../client/objects.js';
import { openStore } from '../store/open.js';
import { electionPrefix } from '../store/store-election.js';
import type { Store } from '../store/store.js';

const [dir, stack, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 10);
const env = Object.fromEntries([...readFileSync(join(dir, 'env'), 'utf8').matchAll(/(STACKD_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
const endpoints = env.STACKD_STORE.replace(/^etcds:\/\//, '').split(',');
const base = Number(endpoints[0].split(':')[1]);
const pids = [0, 1, 2].map((i) => Number(readFileSync(join(dir, `manager-${i}.pid`), 'utf8')));
const bin = join(process.cwd(), 'bin');
const children: ChildProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined | false>, what: string, ms = 120_000, every = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(every);
  }
}

async function leader(store: Store): Promise<number> {
  const { items } = await store.list(electionPrefix(MANAGER_ELECTION));
  const first = items.sort((a, b) => a.createRevision - b.createRevision)[0]?.value;
  return pids.findIndex((pid) => first?.endsWith(`-${pid}`));
}

/** The manager's reconciles so far, from its /metrics (BASE_PORT+6+i, as cluster-up gives it). */
async function reconciles(i: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${base + 6 + i}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('stackd_reconcile_total{'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Starts manager i again exactly as cluster-up does (its own member first). */
function restart(i: number): void {
  const others = endpoints.filter((_, j) => j !== i);
  const log = openSync(join(dir, `manager-${i}.log`), 'a');
  const child = spawn(process.execPath, [join(bin, 'stackd.js'), 'manager', '--metrics-listen', `127.0.0.1:${base + 6 + i}`], {
    env: { ...process.env, ...env, STACKD_STORE: `etcds://${[endpoints[i], ...others].join(',')}` },
    stdio: ['ignore', log, log],
    detached: true,
  });
  child.unref();
  children.push(child);
  pids[i] = child.pid!;
  writeFileSync(join(dir, `manager-${i}.pid`), String(child.pid));
}

async function deploy(version: number): Promise<void> {
  const file = join(dir, `${stack}.yaml`);
  writeFileSync(
    file,
    `services:\n  app:\n    image: stackd/busybox:latest\n    init: true\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n    environment: {ROUND: "${version}"}\n    deploy:\n      replicas: 3\n      update_config: {parallelism: 1, delay: 2s, monitor: 1s}\n`,
  );
  const out = spawn(process.execPath, [join(bin, 'stackctl.js'), 'deploy', '--detach', '-c', file, stack], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const code = await new Promise((r) => out.once('exit', r));
  if (code !== 0) throw new Error(`stackctl deploy exited ${code}`);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => (x / 1000).toFixed(2);
  return `min ${f(s[0])} s   median ${f(s[Math.floor(s.length / 2)])} s   max ${f(s[s.length - 1])} s`;
};

const certs = join(dir, 'certs');
const store = await openStore(env.STACKD_STORE, { storeCacert: join(certs, 'ca.crt'), storeCert: join(certs, 'client.crt'), storeKey: join(certs, 'client.key') });
const toLeader: number[] = [];
const toReconcile: number[] = [];
try {
  await until(async () => (await leader(store)) >= 0, 'a leader');
  await deploy(0);
  await until(async () => (await getObject<Service>(store, 'Service', stack, 'app'))?.status?.replicas?.running === 3, 'the first deploy');
  for (let round = 1; round <= rounds; round++) {
    // all three campaign again before each kill
    await until(async () => (await store.list(electionPrefix(MANAGER_ELECTION))).items.length === 3, 'three campaigners');
    await deploy(round);
    await until(async () => {
      const u = (await getObject<Service>(store, 'Service', stack, 'app'))?.status?.update;
      return u?.state === 'updating' && (u.updated ?? 0) >= 1;
    }, 'the rollout under way');
    const dead = await leader(store);
    const t0 = performance.now();
    process.kill(pids[dead], 'SIGKILL');
    const next = await until(async () => {
      const l = await leader(store);
      return l >= 0 && l !== dead ? l : false;
    }, 'a new leader');
    const tLeader = performance.now() - t0;
    await until(async () => (await reconciles(next)) > 0, 'its first reconcile');
    const tReconcile = performance.now() - t0;
    toLeader.push(tLeader);
    toReconcile.push(tReconcile);
    console.log(
      `round ${round}: manager ${dead} killed; manager ${next} leads after ${(tLeader / 1000).toFixed(2)} s, first reconcile after ${(tReconcile / 1000).toFixed(2)} s`,
    );
    restart(dead);
    await until(async () => {
      const u = (await getObject<Service>(store, 'Service', stack, 'app'))?.status?.update;
      return u?.state === 'completed';
    }, 'the rollout to finish');
  }
  console.log(`time to a new leader (${rounds} kills):   ${stats(toLeader)}`);
  console.log(`time to its first reconcile:        ${stats(toReconcile)}`);
} finally {
  await store.close();
}
