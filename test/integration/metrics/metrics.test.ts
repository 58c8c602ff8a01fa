// stackd --metrics-listen: /healthz, /readyz (store reachable, leadership) and /metrics with the
// stackd_ metrics a deploy, a rollout and a GitOps sync move: reconciles per controller, queue
// depth and age, watch lag, tasks by state, rollouts in flight, store latency, GitOps sync results.
import { mkdirSync, writeFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import { join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { eventually, freePort, StackdProcess } from '../../helpers/stackd.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';

const NODE = 'ha83';

/** The value of one sample line ("name{labels} value"), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and metrics endpoints', () => {
  const dir = tempDir('stackd-metrics-');
  const store = `sqlite://${join(dir, 'state.db')}`;
  const stack = `hametrics${Date.now().toString(36)}`;
  const gitStack = `hamgit${Date.now().toString(36)}`;
  let daemon: StackdProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    daemon = await StackdProcess.start(store, NODE, join(dir, 'stackd.log'), 30_000, ['--metrics-listen', `127.0.0.1:${port}`]);
  }, 60_000);
  afterAll(async () => {
    await stackctl(['--store', store, 'gitops', 'rm', 'hamsrc']);
    await stackctl(['--store', store, 'rm', stack]);
    await stackctl(['--store', store, 'rm', gitStack]);
    // the agent removes the containers after rm returns: let it, before it stops
    const docker = new Dockerode();
    const left = async () => (await docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${NODE}`] } })).length === 0;
    await eventually(left, 30_000).catch(() => undefined);
    await daemon?.stop();
  }, 60_000);

  it('answers /healthz, and /readyz with the store and the leadership', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    await eventually(async () => {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toBe(`store ${store}: ok\nleader: yes\n`);
    });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  const app = (env: string) =>
    'services:\n  app:\n    image: stackd/busybox:latest\n    command: ["sh", "-c", "trap exit TERM; while true; do sleep 1; done"]\n' +
    `    environment: {V: "${env}"}\n    deploy: {replicas: 2, update_config: {parallelism: 1, delay: 5s, monitor: 1s}}\n`;
  const deploy = async (env: string) => {
    writeFileSync(join(dir, 'stack.yaml'), app(env));
    const res = await stackctl(['--store', store, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), stack], { STACKD_STORE: undefined });
    expect(res.code).toBe(0);
  };

  it('counts reconciles, queue depth and age, watch lag, tasks by state and store requests once a stack runs', async () => {
    await deploy('1');
    const text = await eventually(async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(sample(body, 'stackd_tasks{state="running"}')).toBe(2);
      return body;
    }, 60_000);
    for (const controller of ['service', 'scheduler', 'tasks']) {
      expect(sample(text, `stackd_reconcile_total{controller="${controller}",result="success"}`)).toBeGreaterThan(0);
      expect(sample(text, `stackd_reconcile_duration_seconds_count{controller="${controller}"}`)).toBeGreaterThan(0);
      expect(sample(text, `stackd_workqueue_depth{controller="${controller}"}`)).toBeGreaterThanOrEqual(0);
      expect(sample(text, `stackd_workqueue_oldest_age_seconds{controller="${controller}"}`)).toBeGreaterThanOrEqual(0);
      expect(sample(text, `stackd_workqueue_wait_seconds_count{controller="${controller}"}`)).toBeGreaterThan(0);
    }
    // the service and scheduler controllers wait for their own task writes to come back on the watch
    expect(sample(text, 'stackd_watch_lag_seconds_count{kind="tasks"}')).toBeGreaterThan(0);
    expect(sample(text, 'stackd_watch_lag_seconds_sum{kind="tasks"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'stackd_store_request_duration_seconds_count{op="txn",result="ok"}')).toBeGreaterThan(0);
    expect(sample(text, 'stackd_manager_leader')).toBe(1);
    expect(sample(text, 'stackd_rollouts_in_flight{state="updating"}')).toBe(0);
    expect(text).toMatch(/^stackd_process_resident_memory_bytes \d+/m);
    expect(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .every((l) => l.startsWith('stackd_')),
    ).toBe(true);
  }, 90_000);

  it('counts a rolling update in flight, and none once it completes', async () => {
    await deploy('2');
    // two slots, 5 s apart: the rollout is in flight for at least that long
    await eventually(async () => expect(sample(await metrics(), 'stackd_rollouts_in_flight{state="updating"}')).toBe(1), 60_000);
    const done = await stackctl(['--store', store, 'rollout', 'status', `${stack}_app`, '--timeout', '90s'], { STACKD_STORE: undefined });
    expect(done.code).toBe(0);
    await eventually(async () => expect(sample(await metrics(), 'stackd_rollouts_in_flight{state="updating"}')).toBe(0), 30_000);
  }, 120_000);

  it('counts GitOps syncs by source and result', async () => {
    const bare = join(dir, 'repo.git');
    mkdirSync(bare);
    await initBare(bare);
    const work = await WorkingCopy.clone(`file://${bare}`);
    await work.write(`${gitStack}/stack.yml`, app('git')).commitAndPush('first');
    const added = await stackctl(['--store', store, 'gitops', 'add', 'hamsrc', '--repo', `file://${bare}`, '--interval', '1h'], { STACKD_STORE: undefined });
    expect(added.code).toBe(0);
    // the first sync applies the stack and reports it rolling out (Progressing), a later one Succeeded
    await eventually(async () => {
      const text = await metrics();
      const syncs = ['Progressing', 'Succeeded'].map((r) => sample(text, `stackd_gitops_sync_total{source="hamsrc",result="${r}"}`) ?? 0);
      expect(syncs[0] + syncs[1]).toBeGreaterThanOrEqual(1);
    }, 60_000);
  }, 90_000);
});
