// stackctl's writes through the API (--kubeconfig, no --store): cluster networks (create, ls, rm),
// GitOps sources (add, ls, status, suspend, resume, sync, rm) and their credentials (create-secret,
// write-only), API identities (kubeconfig, token ls | revoke) and cluster status. A manager with --api-listen on its own etcd, no nodes: these are control-plane
// writes. An admin may make them, a viewer gets the server's 403, and nothing is written then.
import { jest } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GitOpsSecret, GitSource, Network } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { api, clientFromKubeconfig, kubeconfigFrom, type ApiClient } from '../../helpers/api.js';
import { run, tempDir } from '../../helpers/cli.js';
import { Cluster, eventually } from '../../helpers/cluster.js';
import { initBare, WorkingCopy } from '../../helpers/git-server.js';
import { freePort } from '../../helpers/stackd.js';

jest.setTimeout(180_000);

let cluster: Cluster;
let admin: ApiClient;
let viewer: ApiClient;

const kubeconfigFor = (name: string, ...args: string[]) => kubeconfigFrom(cluster, name, ['kubeconfig', ...args]);

const as = (who: ApiClient, ...args: string[]) => run('stackctl', ['--kubeconfig', who.file, ...args]);

beforeAll(async () => {
  const port = await freePort();
  cluster = await Cluster.start([], ['--api-listen', `127.0.0.1:${port}`]);
  admin = await eventually(() => kubeconfigFor('admin').catch(() => undefined), 'the API server to publish its CA');
  viewer = await kubeconfigFor('viewer', '--role', 'viewer');
});

afterAll(async () => {
  await cluster?.stop();
});

test('network create, ls and rm through the API; a viewer is refused', async () => {
  expect(await as(viewer, 'network', 'create', 'apnet')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403 .*viewer may only get, list and watch/) });
  expect(await getObject(cluster.store, 'Network', '', 'apnet')).toBeUndefined();

  expect(await as(admin, 'network', 'create', '--subnet', '10.241.0.0/16', '--label', 'team=ap', 'apnet')).toMatchObject({ code: 0, stdout: 'apnet\n' });
  const net = await getObject<Network>(cluster.store, 'Network', '', 'apnet');
  expect(net?.metadata).toMatchObject({ namespace: '', generation: 1 });
  expect(net?.metadata.uid).toMatch(/\w+/);
  // a second create is refused as on the Store (the name is taken)
  expect(await as(admin, 'network', 'create', 'apnet')).toMatchObject({ code: 2, stderr: expect.stringContaining('apnet') });
  const ls = await as(viewer, 'network', 'ls', '--format', 'json');
  expect(ls.code).toBe(0);
  expect(JSON.parse(ls.stdout).map((n: { name: string }) => n.name)).toContain('apnet');

  expect(await as(viewer, 'network', 'rm', 'apnet')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403/) });
  expect(await as(admin, 'network', 'rm', 'apnet')).toMatchObject({ code: 0, stdout: 'apnet\n' });
  expect(await getObject(cluster.store, 'Network', '', 'apnet')).toBeUndefined();
  expect(await as(admin, 'network', 'rm', 'apnet')).toMatchObject({ code: 1, stderr: expect.stringContaining('no such cluster network: apnet') });
});

test('gitops create-secret is write-only: an admin writes it, nobody reads its data back', async () => {
  expect(await as(viewer, 'gitops', 'create-secret', 'apcreds', '--from-literal', 'token=s3cret')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403/) });
  expect(await as(admin, 'gitops', 'create-secret', 'apcreds', '--from-literal', 'token=s3cret')).toMatchObject({
    code: 0,
    stdout: 'gitopssecret/apcreds created\n',
  });
  expect(await as(admin, 'gitops', 'create-secret', 'apcreds', '--from-literal', 'token=s3cret')).toMatchObject({
    code: 0,
    stdout: 'gitopssecret/apcreds unchanged\n',
  });
  expect(await as(admin, 'gitops', 'create-secret', 'apcreds', '--from-literal', 'token=other')).toMatchObject({
    code: 0,
    stdout: 'gitopssecret/apcreds updated\n',
  });
  const stored = await getObject<GitOpsSecret>(cluster.store, 'GitOpsSecret', '', 'apcreds');
  expect(Buffer.from(stored?.spec.data.token ?? '', 'base64').toString()).toBe('other');
  for (const who of [admin, viewer]) {
    expect((await api(who, 'GET', '/apis/stackd.io/v1/gitopssecrets/apcreds')).status).toBe(403);
    expect((await api(who, 'GET', '/apis/stackd.io/v1/gitopssecrets')).status).toBe(403);
  }
});

test('gitops add, ls, status, suspend, resume, sync and rm through the API', async () => {
  const bare = join(tempDir('stackd-ap-repo-'), 'stacks.git');
  mkdirSync(bare);
  await initBare(bare);
  const work = await WorkingCopy.clone(`file://${bare}`);
  // no replicas: the sync converges with no node to run anything
  work.write('stacks/apgit.yaml', 'services:\n  app:\n    image: stackd/busybox:latest\n    deploy:\n      replicas: 0\n');
  await work.commitAndPush('one stack');

  const add = ['gitops', 'add', 'apsrc', '--repo', `file://${bare}`, '--path', 'stacks', '--interval', '1h', '--prune'];
  expect(await as(viewer, ...add)).toMatchObject({ code: 1, stderr: expect.stringMatching(/403/) });
  expect(await as(admin, ...add)).toMatchObject({ code: 0, stdout: 'gitsource/apsrc created\n' });
  expect(await as(admin, ...add)).toMatchObject({ code: 1, stderr: expect.stringContaining('gitsource apsrc exists already') });
  expect((await getObject<GitSource>(cluster.store, 'GitSource', '', 'apsrc'))?.spec).toMatchObject({ path: 'stacks', prune: true });

  const sync = await as(admin, 'gitops', 'sync', 'apsrc', '--timeout', '60s');
  expect(sync).toMatchObject({ code: 0 });
  expect(await getObject(cluster.store, 'Stack', '', 'apgit')).toBeDefined();
  const ls = await as(viewer, 'gitops', 'ls', '--format', 'json');
  expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'apsrc' })]);
  const status = await as(viewer, 'gitops', 'status', 'apsrc', '--format', 'json');
  expect((JSON.parse(status.stdout) as GitSource).status?.inventory).toEqual(['apgit']);

  expect(await as(admin, 'gitops', 'suspend', 'apsrc')).toMatchObject({ code: 0, stdout: 'gitsource/apsrc suspended\n' });
  expect((await getObject<GitSource>(cluster.store, 'GitSource', '', 'apsrc'))?.spec.suspend).toBe(true);
  expect(await as(admin, 'gitops', 'resume', 'apsrc')).toMatchObject({ code: 0, stdout: 'gitsource/apsrc resumed\n' });

  expect(await as(viewer, 'gitops', 'rm', 'apsrc')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403/) });
  expect(await as(admin, 'gitops', 'rm', 'apsrc', '--prune')).toMatchObject({ code: 0, stdout: 'gitsource/apsrc removed\nstack/apgit removed\n' });
  expect(await getObject(cluster.store, 'GitSource', '', 'apsrc')).toBeUndefined();
  expect(await getObject(cluster.store, 'Stack', '', 'apgit')).toBeUndefined();
});

test('kubeconfig, token ls and token revoke through the API: admins only', async () => {
  expect(await as(viewer, 'kubeconfig', '--role', 'viewer')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403 .*only an admin manages API identities/) });
  expect(await as(viewer, 'token', 'ls')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403/) });

  const made = await as(admin, 'kubeconfig', '--role', 'viewer', '-n', 'apns');
  expect(made.code).toBe(0);
  const fresh = clientFromKubeconfig(made.stdout, cluster.logDir, 'fresh-viewer');
  // the kubeconfig names the server and CA the admin's client trusts
  expect(fresh).toMatchObject({ server: admin.server, ca: admin.ca });
  expect(made.stdout).toContain('namespace: apns');
  expect(await as(fresh, 'ls')).toMatchObject({ code: 0 });
  const id = fresh.token.split('.')[0];

  const ls = await as(admin, 'token', 'ls', '--format', 'json');
  const listed = JSON.parse(ls.stdout) as Array<{ id: string; role: string; sha256?: string }>;
  expect(listed).toContainEqual(expect.objectContaining({ id, role: 'viewer' }));
  expect(listed.every((t) => t.sha256 === undefined)).toBe(true);

  const node = await as(admin, 'kubeconfig', '--node', 'ap240');
  expect(node.code).toBe(0);
  expect(node.stdout).toContain('name: node-ap240');
  expect(await as(admin, 'kubeconfig', '--client-cert')).toMatchObject({ code: 2, stderr: expect.stringContaining('--client-cert signs with the API CA key') });

  expect(await as(admin, 'token', 'revoke', id, 'ffffffffffff')).toMatchObject({
    code: 1,
    stdout: `${id}\n`,
    stderr: expect.stringContaining('no such token: ffffffffffff'),
  });
  await eventually(async () => (await api(fresh, 'GET', '/apis/stackd.io/v1/stacks')).status === 401, 'the revoked token to be refused');
});

test('cluster status through the API: managers and nodes, no etcd members; a node identity is refused', async () => {
  const res = await as(viewer, 'cluster', 'status', '--format', 'json');
  expect(res.code).toBe(0);
  const status = JSON.parse(res.stdout) as { store: string; etcd: unknown; managers: Array<{ status: string }> };
  expect(status).toMatchObject({ store: admin.server, etcd: null });
  expect(status.managers.map((m) => m.status)).toEqual(['leader']);
  const text = await as(viewer, 'cluster', 'status');
  expect(text.stdout).toContain("the etcd members are the managers'");
  const node = clientFromKubeconfig((await cluster.stackctl(['kubeconfig', '--node', 'ap241'])).stdout, cluster.logDir, 'node-ap241');
  expect(await as(node, 'cluster', 'status')).toMatchObject({ code: 1, stderr: expect.stringMatching(/403 .*may not read the control plane/) });
});
