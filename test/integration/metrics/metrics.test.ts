// stackd --metrics-listen: /healthz, /readyz (store reachable, leadership) and /metrics with the
// stackd_ metrics a deploy moves: reconciles per controller, queue depth, tasks by state, store latency.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { eventually, freePort, StackdProcess } from '../../helpers/stackd.js';

const NODE = 'ha83';

/** The value of one sample line ("name{labels} value"), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and metrics endpoints', () => {
  const dir = tempDir('stackd-metrics-');
  const store = `sqlite://${join(dir, 'state.db')}`;
  const stack = `metrics${Date.now().toString(36)}`;
  let daemon: StackdProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    daemon = await StackdProcess.start(store, NODE, join(dir, 'stackd.log'), 30_000, ['--metrics-listen', `127.0.0.1:${port}`]);
  }, 60_000);
  afterAll(async () => {
    await stackctl(['--store', store, 'rm', stack]);
    await daemon?.stop();
  });

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

  it('counts reconciles, tasks by state and store requests once a stack runs', async () => {
    writeFileSync(
      join(dir, 'stack.yaml'),
      'services:\n  app:\n    image: stackd/busybox:latest\n    command: ["sh", "-c", "trap exit TERM; while true; do sleep 1; done"]\n',
    );
    const deployed = await stackctl(['--store', store, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), stack], { STACKD_STORE: undefined });
    expect(deployed.code).toBe(0);
    const text = await eventually(async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const body = await res.text();
      expect(sample(body, 'stackd_tasks{state="running"}')).toBeGreaterThanOrEqual(1);
      return body;
    }, 60_000);
    for (const controller of ['service', 'scheduler', 'tasks']) {
      expect(sample(text, `stackd_reconcile_total{controller="${controller}",result="success"}`)).toBeGreaterThan(0);
      expect(sample(text, `stackd_reconcile_duration_seconds_count{controller="${controller}"}`)).toBeGreaterThan(0);
      expect(sample(text, `stackd_workqueue_depth{controller="${controller}"}`)).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'stackd_store_request_duration_seconds_count{op="txn",result="ok"}')).toBeGreaterThan(0);
    expect(sample(text, 'stackd_manager_leader')).toBe(1);
    expect(text).toMatch(/^stackd_process_resident_memory_bytes \d+/m);
    expect(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .every((l) => l.startsWith('stackd_')),
    ).toBe(true);
  }, 90_000);
});
