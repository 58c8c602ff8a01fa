// The API server with real clients: kubectl (get, -w) and plain HTTPS watches against a manager
// on a dedicated etcd, serving the accounts example deployed with stackctl. One agent on namespace
// node ap175 runs it, so tasks move through real states.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { Cluster, eventually } from '../../helpers/cluster.js';
import { EXAMPLE } from '../../helpers/cli.js';
import { freePort } from '../../helpers/stackd.js';
import { api, kubeconfigFrom, kubectl, kubectlStream, WatchStream, type ApiClient } from '../../helpers/api.js';

jest.setTimeout(240_000);

let cluster: Cluster;
let admin: ApiClient;
let managerArgs: string[];

const kubeconfigFor = (name: string, ...args: string[]) => kubeconfigFrom(cluster, name, ['--request-timeout', '60s', 'kubeconfig', ...args]);

beforeAll(async () => {
  process.env.STACKD_API_BOOKMARK_SECONDS = '1';
  const port = await freePort();
  managerArgs = ['--api-listen', `127.0.0.1:${port}`, '--api-state-dir', '__STATE__'];
  cluster = await Cluster.start([{ name: 'ap175', index: 175, labels: {} }], []);
  managerArgs[3] = join(cluster.logDir, 'api-state');
  // the first manager has no API: restart it with one (the flag is what is under test)
  await cluster.manager.kill('SIGTERM');
  cluster.startManager(managerArgs);
  admin = await eventually(() => kubeconfigFor('admin').catch(() => undefined), 'the API server to publish its CA');
  const deploy = await cluster.stackctl(['deploy', '-d', '-c', join(EXAMPLE, 'stack.yaml'), 'accounts']);
  expect(deploy.code).toBe(0);
});

afterAll(async () => {
  await cluster?.stop();
});

test('kubectl reads stacks, services, tasks and nodes with the server-side columns', async () => {
  const stacks = await kubectl(admin, ['get', 'stacks']);
  expect(stacks.stdout).toMatch(/^NAME\s+SERVICES\s+AGE\n/);
  expect(stacks.stdout).toMatch(/^accounts\s+3\s+/m);

  const services = await eventually(
    async () => {
      const r = await kubectl(admin, ['get', 'services.stackd.io', '-n', 'accounts']);
      return /^api\s+replicated\s+1\/1\s+stackd\/accounts-api:dev\s+\*:8081->80\/tcp/m.test(r.stdout) && r.stdout;
    },
    'api to run',
    120_000,
  );
  expect(services).toMatch(/^NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS\n/);

  const nodes = await kubectl(admin, ['get', 'nodes.stackd.io']);
  expect(nodes.stdout).toMatch(/^ap175\s+\S+\s+Ready\s+Active\s+worker\s/m);

  // field selector: a node's tasks (what a node identity is held to)
  const onNode = await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/accounts/tasks?fieldSelector=spec.node%3Dap175');
  expect(onNode.status).toBe(200);
  expect(onNode.body.items.length).toBeGreaterThanOrEqual(3);
  const none = await api(admin, 'GET', '/apis/stackd.io/v1/tasks?fieldSelector=spec.node%3Dnope');
  expect(none.body.items).toEqual([]);
  // label selector
  const labelled = await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/accounts/services?labelSelector=io.stackd.stack%3Daccounts');
  expect(labelled.body.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort()).toEqual(['api', 'mysql', 'web']);
  const bad = await api(admin, 'GET', '/apis/stackd.io/v1/services?labelSelector=a%20in%20b');
  expect(bad.status).toBe(400);
});

test('secrets are served without their data; no token is 401, a revoked one too', async () => {
  const secrets = await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/accounts/secrets');
  expect(secrets.body.items.length).toBeGreaterThan(0);
  for (const s of secrets.body.items) expect(s.spec.data).toBeUndefined();
  const one = await api(admin, 'GET', `/apis/stackd.io/v1/namespaces/accounts/secrets/${secrets.body.items[0].metadata.name}`);
  expect(one.status).toBe(200);
  expect(one.body.spec.data).toBeUndefined();
  expect(one.body.spec.sha256).toMatch(/^[0-9a-f]{64}$/);

  expect((await api({ ...admin, token: '' }, 'GET', '/apis/stackd.io/v1/stacks')).status).toBe(401);
  const viewer = await kubeconfigFor('viewer', '--role', 'viewer');
  expect((await api(viewer, 'GET', '/apis/stackd.io/v1/stacks')).status).toBe(200);
  const ls = await cluster.stackctlJson<Array<{ id: string; role: string }>>(['token', 'ls']);
  const id = viewer.token.split('.')[0];
  expect(ls).toContainEqual(expect.objectContaining({ id, role: 'viewer' }));
  expect(JSON.stringify(ls)).not.toContain(viewer.token.split('.')[1]);
  expect((await cluster.stackctl(['token', 'revoke', id])).code).toBe(0);
  // the server's token cache hears of the revocation through its Store watch (milliseconds)
  await eventually(async () => (await api(viewer, 'GET', '/apis/stackd.io/v1/stacks')).status === 401, 'the revocation to be honoured', 5_000);
  expect((await api(viewer, 'GET', '/apis/stackd.io/v1/stacks')).status).toBe(401);
});

test('kubectl get tasks -w shows a scale-up as it happens', async () => {
  const watch = kubectlStream(admin, ['get', 'tasks', '-n', 'accounts', '-w']);
  try {
    await eventually(() => /accounts_web\.1/.test(watch.out()), 'the initial list');
    expect((await cluster.stackctl(['service', 'scale', 'accounts_api=2'])).code).toBe(0);
    await eventually(() => /accounts_api\.2\s/.test(watch.out()) || undefined, 'accounts_api.2 in the watch');
  } finally {
    watch.child.kill();
  }
});

test('a watch resumes from its resourceVersion after a manager restart, gets bookmarks, and 410 after compaction', async () => {
  const list = await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/accounts/services');
  const rv = list.body.metadata.resourceVersion as string;
  await cluster.manager.kill('SIGTERM');
  // changes while no API server runs
  expect((await cluster.stackctl(['service', 'scale', 'accounts_web=2'])).code).toBe(0);
  cluster.startManager(managerArgs);
  const w = await eventually(
    () => WatchStream.open(admin, `/apis/stackd.io/v1/namespaces/accounts/services?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`).catch(() => undefined),
    'the restarted API server',
  );
  try {
    expect(w.status).toBe(200);
    const web = await eventually(
      () => w.events.find((e) => e.type === 'MODIFIED' && e.object.metadata?.name === 'web' && e.object.spec.template.deploy.replicas === 2),
      'web scaled to 2 in the resumed watch',
    );
    expect(Number(web.object.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    // nothing before the resourceVersion is replayed
    expect(w.events.every((e) => Number(e.object.metadata.resourceVersion) > Number(rv))).toBe(true);
    await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
  } finally {
    w.stop();
  }

  const now = await api(admin, 'GET', '/apis/stackd.io/v1/stacks');
  await cluster.store.compact(Number(now.body.metadata.resourceVersion));
  const old = await WatchStream.open(admin, `/apis/stackd.io/v1/namespaces/accounts/services?watch=1&resourceVersion=${rv}`);
  const gone = await eventually(() => old.events.find((e) => e.type === 'ERROR'), 'the 410');
  expect(gone.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  await eventually(() => old.ended, 'the stream to end');
});

test("authorization: a viewer only reads; a node reads its own tasks, Node and the secrets they mount whole, others' only as their network view", async () => {
  const viewer = await kubeconfigFor('viewer2', '--role', 'viewer');
  const create = await api(viewer, 'POST', '/apis/stackd.io/v1/stacks', { apiVersion: 'stackd.io/v1', kind: 'Stack', metadata: { name: 'x' }, spec: {} });
  expect(create.status).toBe(403);
  expect((await api(viewer, 'DELETE', '/apis/stackd.io/v1/stacks/accounts')).status).toBe(403);

  const node = await kubeconfigFor('node-ap175', '--node', 'ap175');
  const other = await kubeconfigFor('node-ap176', '--node', 'ap176');
  const tasks = '/apis/stackd.io/v1/namespaces/accounts/tasks';
  // another node's tasks: where they run and at what address (network-view.ts), never their template
  const all = await api(node, 'GET', tasks);
  expect(all.status).toBe(200);
  expect(all.body.items.length).toBeGreaterThan(0);
  for (const t of all.body.items) expect(t.spec.nodeName === 'ap175' || t.spec.template === undefined).toBe(true);
  const theirs = await api(other, 'GET', `${tasks}?fieldSelector=spec.node%3Dap175`);
  expect(theirs.body.items.map((t: { spec: object }) => t.spec).filter((spec: object) => 'template' in spec)).toEqual([]);
  const mine = await api(node, 'GET', `${tasks}?fieldSelector=spec.node%3Dap175`);
  expect(mine.status).toBe(200);
  const api1 = mine.body.items.find((t: { spec: { service: string; template: { secrets: unknown[] } } }) => t.spec.service === 'api');
  expect((await api(node, 'GET', `${tasks}/${api1.metadata.name}`)).status).toBe(200);
  expect((await api(other, 'GET', `${tasks}/${api1.metadata.name}`)).status).toBe(403);

  // the secret its task mounts: with data for that node only
  const { source, version } = api1.spec.template.secrets[0];
  const secret = `/apis/stackd.io/v1/namespaces/accounts/secrets/${source}-${version}`;
  const got = await api(node, 'GET', secret);
  expect(got.status).toBe(200);
  expect(Buffer.from(got.body.spec.data, 'base64').toString()).toContain('password');
  expect((await api(other, 'GET', secret)).status).toBe(403);
  expect((await api(node, 'GET', '/apis/stackd.io/v1/namespaces/accounts/secrets')).status).toBe(403);

  expect((await api(node, 'GET', '/apis/stackd.io/v1/nodes/ap175')).status).toBe(200);
  expect((await api(other, 'GET', '/apis/stackd.io/v1/nodes/ap175')).status).toBe(403);
  for (const path of ['/apis/stackd.io/v1/stacks', '/apis/stackd.io/v1/namespaces/accounts/services', '/apis/stackd.io/v1/nodes']) {
    const listed = await api(node, 'GET', path);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/password|"image"|"environment"/);
  }
  expect((await api(node, 'GET', '/apis/stackd.io/v1/namespaces/accounts/services/api')).status).toBe(403);
  expect((await api(node, 'GET', '/apis/stackd.io/v1/gitsources')).status).toBe(403);
  expect((await api(node, 'DELETE', '/apis/stackd.io/v1/stacks/accounts')).status).toBe(403);
});

test('writes: a stack from its files (422 with positions), kubectl scale, merge patch, 409 when stale, node status writes, kubectl delete', async () => {
  const stacks = '/apis/stackd.io/v1/stacks';
  const stack = (text: string) => ({ apiVersion: 'stackd.io/v1', kind: 'Stack', metadata: { name: 'apw' }, spec: { files: { 'stack.yaml': text } } });
  const bad = await api(admin, 'POST', stacks, stack('services:\n  web:\n    image: stackd/busybox:latest\n    ports: ["x"]\n'));
  expect(bad.status).toBe(422);
  expect(bad.body.message).toMatch(/^stack\.yaml:4:\d+ /m);
  expect((await api(admin, 'GET', `${stacks}/apw`)).status).toBe(404);

  const good = stack('services:\n  web:\n    image: stackd/busybox:latest\n    command: ["sleep", "1000"]\n    init: true\n');
  const created = await api(admin, 'POST', stacks, good);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ kind: 'Stack', metadata: { name: 'apw' } });
  expect((await api(admin, 'POST', stacks, good)).status).toBe(409);

  const svcPath = '/apis/stackd.io/v1/namespaces/apw/services/web';
  const before = (await api(admin, 'GET', svcPath)).body;
  const scaled = await kubectl(admin, ['scale', '--replicas=3', 'services.stackd.io/web', '-n', 'apw']);
  expect(scaled).toMatchObject({ code: 0 });
  const after = (await api(admin, 'GET', svcPath)).body;
  expect(after.spec.template.deploy.replicas).toBe(3);
  expect(after.metadata.generation).toBe(before.metadata.generation + 1);
  expect((await api(admin, 'GET', `${svcPath}/scale`)).body).toMatchObject({ kind: 'Scale', spec: { replicas: 3 } });

  const patched = await api(admin, 'PATCH', svcPath, { metadata: { labels: { team: 'payments' } } }, { 'content-type': 'application/merge-patch+json' });
  expect(patched.status).toBe(200);
  expect(patched.body.metadata.labels.team).toBe('payments');
  const stale = await api(admin, 'PUT', svcPath, { ...before, spec: { ...before.spec, template: { ...before.spec.template, image: 'stackd/busybox:old' } } });
  expect(stale.status).toBe(409);
  expect((await api(admin, 'GET', svcPath)).body.spec.template.image).toBe('stackd/busybox:latest');

  // node identities write only their own tasks' status
  const task = await eventually(
    async () => (await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/apw/tasks?fieldSelector=spec.node%3Dap175')).body.items[0],
    'a task of apw on ap175',
    120_000, // placement on a machine shared with other suites (load 20) has taken over 30 s
  );
  const node = await kubeconfigFor('node-ap175-w', '--node', 'ap175');
  const other = await kubeconfigFor('node-ap176-w', '--node', 'ap176');
  const taskPath = `/apis/stackd.io/v1/namespaces/apw/tasks/${task.metadata.name}`;
  const merge = { 'content-type': 'application/merge-patch+json' };
  expect((await api(other, 'PATCH', `${taskPath}/status`, { status: { message: 'not yours' } }, merge)).status).toBe(403);
  expect((await api(node, 'PATCH', taskPath, { spec: { desiredState: 'shutdown' } }, merge)).status).toBe(403);
  expect((await api(node, 'PATCH', `${stacks}/accounts`, { metadata: { labels: { a: 'b' } } }, merge)).status).toBe(403);
  const own = await api(node, 'PATCH', `${taskPath}/status`, { status: { message: 'from the API' } }, merge);
  expect(own.status).toBe(200);
  expect(own.body.spec.desiredState).toBe(task.spec.desiredState);

  const deleted = await kubectl(admin, ['delete', 'stack', 'apw']);
  expect(deleted).toMatchObject({ code: 0 });
  expect(deleted.stdout).toMatch(/stack\.stackd\.io "apw" deleted/);
  expect((await api(admin, 'GET', `${stacks}/apw`)).status).toBe(404);
  expect((await api(admin, 'GET', '/apis/stackd.io/v1/namespaces/apw/services')).body.items).toEqual([]);
});
