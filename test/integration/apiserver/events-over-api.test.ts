// Events through the API: a manager with --api-listen on its own etcd records them to the Store as
// always, one agent on namespace node ap242 runs a task that keeps failing, and every reader here
// goes through the API only: `stackctl --kubeconfig events` (list, -f), `rollout status` and
// `service inspect`, kubectl's table, a raw watch that sees an event the manager writes. Admins and
// viewers read them; a node identity is refused.
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ApiStore } from '../../../src/apiserver-client/api-store.js';
import { kubeConfigFromFile } from '../../../src/apiserver-client/connect.js';
import { decodeEvent, eventStackPrefix, type StackdEvent } from '../../../src/events/event.js';
import { api, kubeconfigFrom, kubectl, kubectlStream, type ApiClient, WatchStream } from '../../helpers/api.js';
import { ROOT, run } from '../../helpers/cli.js';
import { Cluster, eventually } from '../../helpers/cluster.js';
import { freePort } from '../../helpers/stackd.js';
import { CRASH_LOOP_STACK } from '../../helpers/stacks.js';

jest.setTimeout(240_000);

const NODE = 'ap242';
const STACK = 'apev';
let cluster: Cluster;
let admin: ApiClient;
let viewer: ApiClient;

const kubeconfigFor = (name: string, ...args: string[]) => kubeconfigFrom(cluster, name, ['kubeconfig', ...args]);

const as = (who: ApiClient, ...args: string[]) => run('stackctl', ['--kubeconfig', who.file, ...args]);

async function eventsAs(who: ApiClient, ...args: string[]): Promise<StackdEvent[]> {
  const res = await as(who, 'events', ...args, '--format', 'json');
  if (res.code !== 0) throw new Error(`stackctl events: ${res.stderr}`);
  return JSON.parse(res.stdout) as StackdEvent[];
}

beforeAll(async () => {
  const port = await freePort();
  cluster = await Cluster.start([{ name: NODE, index: 242, labels: {} }], ['--api-listen', `127.0.0.1:${port}`]);
  admin = await eventually(() => kubeconfigFor('admin').catch(() => undefined), 'the API server to publish its CA');
  viewer = await kubeconfigFor('viewer', '--role', 'viewer');
  await cluster.deploy(STACK, CRASH_LOOP_STACK, '-d');
});

afterAll(async () => {
  await cluster?.stop();
});

test('a failing task: stackctl events lists it through the API and -f streams its next occurrence', async () => {
  const failed = await eventually(
    async () => (await eventsAs(admin, '--stack', STACK, '--type', 'warning')).find((e) => e.reason === 'TaskFailed'),
    'a TaskFailed event through the API',
    90_000,
  );
  expect(failed).toMatchObject({
    kind: 'Event',
    metadata: { namespace: STACK, resourceVersion: expect.stringMatching(/^\d+$/) },
    involvedObject: { kind: 'Service', stack: STACK, name: 'crash' },
    type: 'Warning',
    message: expect.stringContaining('crash.1 failed: exit code 3'),
  });
  const table = await as(admin, 'events', '--stack', STACK);
  expect(table.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE\n/);
  expect(table.stderr).toBe('');

  // -f: the list, then each repeat as the manager writes it (the API watch, resumed from the list,
  // with the server's fieldSelector type=Warning)
  const follower = spawn(process.execPath, [
    join(ROOT, 'bin', 'stackctl.js'),
    '--kubeconfig',
    admin.file,
    'events',
    '-f',
    '--stack',
    STACK,
    '--type',
    'warning',
    '--format',
    'json',
  ]);
  let out = '';
  let stderr = '';
  follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
  follower.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(follower, 'exit');
  const streamed = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StackdEvent);
  const later = await eventually(
    () => streamed().find((e) => e.reason === 'TaskFailed' && e.count > failed.count),
    'a later TaskFailed occurrence streamed by -f',
    90_000,
  );
  expect(Number(later.metadata.resourceVersion)).toBeGreaterThan(Number(failed.metadata.resourceVersion));
  follower.kill('SIGINT');
  const [code] = await exited;
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
});

test('kubectl get events.stackd.io -n STACK prints the table; a viewer reads events, rollout status and service inspect show them', async () => {
  const ev = await eventually(
    async () => {
      const r = await kubectl(viewer, ['get', 'events.stackd.io', '-n', STACK]);
      return /^\S+\s+Warning\s+TaskFailed\s+service\/apev_crash\s+crash\.1 failed: exit code 3/m.test(r.stdout) && r;
    },
    'kubectl to show the TaskFailed row',
    60_000,
  );
  expect(ev.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
  // -w: the server's table rows as the crash loop repeats (a Table per watch event)
  const watching = kubectlStream(viewer, ['get', 'events.stackd.io', '-n', STACK, '-w']);
  try {
    await eventually(() => (watching.out().match(/\sWarning\s+TaskFailed\s+service\/apev_crash\s/g) ?? []).length >= 2, 'kubectl -w to print a repeat', 60_000);
  } finally {
    watching.child.kill();
  }

  expect((await eventsAs(viewer, '--stack', STACK)).map((e) => e.reason)).toContain('TaskFailed');
  const status = await as(viewer, 'rollout', 'status', `${STACK}_crash`, '--timeout', '2s');
  expect(status.stdout).toMatch(/\nEvents:\n\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE\n[\s\S]*TaskFailed\s+service\/apev_crash/);
  expect(status.stderr).not.toContain('events not shown');
  const inspect = await as(viewer, 'service', 'inspect', `${STACK}_crash`);
  expect(inspect.code).toBe(0);
  const [svc] = JSON.parse(inspect.stdout) as Array<{ events: StackdEvent[] }>;
  expect(svc.events.map((e) => e.reason)).toContain('TaskFailed');
});

test('the server filters events: fieldSelector on type and involvedObject, sinceTime/sinceSeconds; stackctl sends --type and --since there', async () => {
  const base = `/apis/stackd.io/v1/namespaces/${STACK}/events`;
  const failed = await eventually(
    async () => ((await api(viewer, 'GET', base)).body.items as StackdEvent[]).find((e) => e.reason === 'TaskFailed'),
    'a TaskFailed event',
    90_000,
  );
  const q = (query: Record<string, string>) => api(viewer, 'GET', `${base}?${new URLSearchParams(query)}`);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  expect((await q({ sinceTime: future })).body.items).toEqual([]);
  const since = (await q({ sinceTime: failed.lastTimestamp })).body.items as StackdEvent[];
  expect(since.map((e) => e.metadata.name)).toContain(failed.metadata.name);
  for (const e of since) expect(e.lastTimestamp >= failed.lastTimestamp).toBe(true);
  expect((await q({ sinceSeconds: '3600', fieldSelector: 'involvedObject.name=crash,type=Warning' })).body.items.map((e: StackdEvent) => e.reason)).toContain(
    'TaskFailed',
  );
  for (const e of (await q({ fieldSelector: 'type=Normal' })).body.items as StackdEvent[]) expect(e.type).toBe('Normal');
  expect(await q({ sinceSeconds: 'soon' })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/sinceSeconds: expected a whole number/) } });

  // the client's Store through the API passes a reader's filter on (it filters nothing itself)
  const store = new ApiStore(kubeConfigFromFile(viewer.file).kc, viewer.server);
  try {
    const decoded = async (filter: Parameters<ApiStore['list']>[1]) =>
      (await store.list(eventStackPrefix(STACK), filter)).items.map((kv) => decodeEvent(kv.value, kv.modRevision)!);
    expect((await decoded(undefined)).length).toBeGreaterThan(0);
    expect(await decoded({ sinceTime: future })).toEqual([]);
    const warnings = await decoded({ fieldSelector: 'type=Warning', sinceTime: failed.lastTimestamp });
    expect(warnings.map((e) => e.metadata.name)).toContain(failed.metadata.name);
    for (const e of warnings) expect([e.type, e.lastTimestamp >= failed.lastTimestamp]).toEqual(['Warning', true]);
  } finally {
    await store.close();
  }
  const recent = await eventsAs(viewer, '--stack', STACK, '--type', 'warning', '--since', '1h');
  expect(recent.map((e) => e.reason)).toContain('TaskFailed');
  expect(recent.every((e) => e.type === 'Warning')).toBe(true);
  expect(await eventsAs(viewer, '--stack', STACK, '--type', 'normal', '--since', '1ms')).toEqual([]);
});

test('an event of a cluster-scoped object (node drained) reaches an API watch; a node identity may not read events', async () => {
  const watch = await WatchStream.open(admin, '/apis/stackd.io/v1/events?watch=1&fieldSelector=metadata.namespace%3D');
  try {
    expect(watch.status).toBe(200);
    expect((await cluster.stackctl(['node', 'update', '--availability', 'drain', NODE])).code).toBe(0);
    const drained = await eventually(() => watch.events.find((e) => e.object.reason === 'NodeDrained'), 'NodeDrained on the watch');
    expect(drained.object).toMatchObject({ metadata: { namespace: '' }, involvedObject: { kind: 'Node', stack: '', name: NODE } });
    // only cluster-scoped objects' events on this watch: the stack's keep failing elsewhere
    expect(watch.events.every((e) => e.object.metadata.namespace === '')).toBe(true);
    const one = await api(viewer, 'GET', `/apis/stackd.io/v1/events/${drained.object.metadata.name}`);
    expect(one).toMatchObject({ status: 200, body: { reason: 'NodeDrained' } });
  } finally {
    watch.stop();
  }

  const node = await kubeconfigFor(`node-${NODE}`, '--node', NODE);
  expect((await api(node, 'GET', `/apis/stackd.io/v1/namespaces/${STACK}/events`)).status).toBe(403);
  expect((await api(node, 'GET', '/apis/stackd.io/v1/events?watch=1')).status).toBe(403);
  expect(await as(node, 'events')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403 .*node ap242 may not list events/) });
  // nobody writes events through the API: the manager records them next to the Store
  expect((await api(admin, 'DELETE', `/apis/stackd.io/v1/events/x`)).status).toBe(405);
  expect((await api(viewer, 'DELETE', `/apis/stackd.io/v1/events/x`)).status).toBe(403);
});
