// `stackctl deploy` through the API (--kubeconfig): the files are loaded and checked client-side,
// then sent as a Stack create or update that the server deploys in one transaction. A manager
// with --api-listen on its own etcd, one agent on namespace node ap200 (so a deploy without -d
// waits for real convergence), every stackctl call without --store.
import { jest } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, Secret, Service, Stack } from '../../../src/api/objects.js';
import { getObject, listObjects } from '../../../src/client/objects.js';
import { api, kubeconfigFrom, type ApiClient } from '../../helpers/api.js';
import { run } from '../../helpers/cli.js';
import { Cluster, eventually } from '../../helpers/cluster.js';
import { freePort } from '../../helpers/stackd.js';

jest.setTimeout(240_000);

const STACK = 'apdeploy';
let cluster: Cluster;
let admin: ApiClient;
let viewer: ApiClient;
let dir: string;

const kubeconfigFor = (name: string, ...args: string[]) => kubeconfigFrom(cluster, name, ['kubeconfig', ...args]);

const stackFile = (image: string) => `services:
  app:
    image: ${image}
    command: ["sleep", "3600"]
    environment:
      GREETING: \${AP_GREETING}
      FROM_DOTENV: \${AP_DOT}
    configs: [cfg]
    secrets: [sec]
configs:
  cfg:
    file: ./conf/app.conf
secrets:
  sec:
    file: ./sec.bin
`;

const deploy = (who: ApiClient, file: string, ...flags: string[]) =>
  run('stackctl', ['--kubeconfig', who.file, 'deploy', '-c', file, ...flags, STACK], { AP_GREETING: 'hello from the client', AP_UNUSED: 'never sent' });

beforeAll(async () => {
  const port = await freePort();
  cluster = await Cluster.start([{ name: 'ap200', index: 200, labels: {} }], []);
  await cluster.manager.kill('SIGTERM');
  cluster.startManager(['--api-listen', `127.0.0.1:${port}`, '--api-state-dir', join(cluster.logDir, 'api-state')]);
  admin = await eventually(() => kubeconfigFor('admin').catch(() => undefined), 'the API server to publish its CA');
  viewer = await kubeconfigFor('viewer', '--role', 'viewer');
  dir = join(cluster.logDir, 'src');
  mkdirSync(join(dir, 'conf'), { recursive: true });
  writeFileSync(join(dir, '.env'), 'AP_DOT=from the .env\n');
  writeFileSync(join(dir, 'conf', 'app.conf'), 'listen 80\n');
  writeFileSync(join(dir, 'sec.bin'), Buffer.from([0xff, 0x00, 0xfe, 0x80]));
});

afterAll(async () => {
  await cluster?.stop();
});

test('a bad file is refused client-side with its position, exit 2, nothing sent', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'services:\n  app:\n    image: stackd/busybox:latest\n    replicas: lots\n');
  const res = await deploy(admin, bad, '-d');
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(/bad\.yaml:4:\d+ /);
  expect(await getObject(cluster.store, 'Stack', '', STACK)).toBeUndefined();
});

test('a viewer is refused (403, exit 1), nothing written', async () => {
  const file = join(dir, 'stack.yaml');
  writeFileSync(file, stackFile('stackd/busybox:latest'));
  const res = await deploy(viewer, file, '-d');
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/403 .*viewer may only get, list and watch/);
  expect(await getObject(cluster.store, 'Stack', '', STACK)).toBeUndefined();
});

test('deploy -d creates the stack with its files and the variables it uses; a redeploy updates it and waits for convergence', async () => {
  const file = join(dir, 'stack.yaml');
  writeFileSync(file, stackFile('stackd/busybox:latest'));
  const created = await deploy(admin, file, '-d');
  expect(created).toMatchObject({ code: 0, stdout: `stack/${STACK} created\n` });
  const svc = await getObject<Service>(cluster.store, 'Service', STACK, 'app');
  expect(svc?.spec.template.environment).toEqual({ GREETING: 'hello from the client', FROM_DOTENV: 'from the .env' });
  const [cfg] = (await listObjects<Config>(cluster.store, 'Config', STACK)).items;
  expect(Buffer.from(cfg.spec.data, 'base64').toString()).toBe('listen 80\n');
  const [sec] = (await listObjects<Secret>(cluster.store, 'Secret', STACK)).items;
  expect(Buffer.from(sec.spec.data, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0xfe, 0x80]));
  // only the variables the files use leave the client
  const stack = await getObject<Stack>(cluster.store, 'Stack', '', STACK);
  expect(JSON.stringify(stack)).not.toContain('never sent');

  writeFileSync(file, stackFile('stackd/busybox:latest').replace('"3600"', '"3601"'));
  const updated = await deploy(admin, file, '--timeout', '120s');
  expect(updated.code).toBe(0);
  expect(updated.stdout).toMatch(new RegExp(`^stack/${STACK} updated\\n[^]*stack ${STACK} converged: 1 service\\(s\\) running`));
  expect((await getObject<Service>(cluster.store, 'Service', STACK, 'app'))?.spec.template.command).toEqual(['sleep', '3601']);
});

test('a viewer reads secrets without their data; a node token cannot change a stack, and reads only the secrets of its tasks', async () => {
  const secrets = await api(viewer, 'GET', `/apis/stackd.io/v1/namespaces/${STACK}/secrets`);
  expect(secrets.status).toBe(200);
  expect(secrets.body.items.length).toBe(1);
  const name = secrets.body.items[0].metadata.name as string;
  const one = await api(viewer, 'GET', `/apis/stackd.io/v1/namespaces/${STACK}/secrets/${name}`);
  expect(one.status).toBe(200);
  expect(one.body.spec.data).toBeUndefined();
  expect(one.body.spec.sha256).toMatch(/^[0-9a-f]{64}$/);

  const node = await kubeconfigFor('node-ap200', '--node', 'ap200');
  const stack = `/apis/stackd.io/v1/stacks/${STACK}`;
  const body = { apiVersion: 'stackd.io/v1', kind: 'Stack', metadata: { name: STACK }, spec: { files: { 'stack.yaml': 'services: {}\n' } } };
  expect((await api(node, 'PUT', stack, body)).status).toBe(403);
  expect((await api(node, 'PATCH', stack, { metadata: { labels: { a: 'b' } } }, { 'content-type': 'application/merge-patch+json' })).status).toBe(403);
  expect((await api(node, 'DELETE', stack)).status).toBe(403);
  expect((await api(node, 'POST', '/apis/stackd.io/v1/stacks', { ...body, metadata: { name: 'apother' } })).status).toBe(403);
  // its own task's secret, with the data the agent needs to mount it
  const mine = await eventually(async () => {
    const r = await api(node, 'GET', `/apis/stackd.io/v1/namespaces/${STACK}/secrets/${name}`);
    return r.status === 200 && r;
  }, 'the secret of a task on ap200');
  expect(Buffer.from(mine.body.spec.data, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0xfe, 0x80]));
  expect(await getObject<Stack>(cluster.store, 'Stack', '', 'apother')).toBeUndefined();
});
