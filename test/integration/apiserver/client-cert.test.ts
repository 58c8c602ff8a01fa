// Client certificates on the API: `stackctl kubeconfig --client-cert` signs one with the API's
// CA (CN = the name, O = the role's group); kubectl with it gets and is denied as the role
// allows; a certificate from another CA is 401. A manager with --api-listen, no nodes.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kubectl, type ApiClient } from '../../helpers/api.js';
import { Cluster, eventually } from '../../helpers/cluster.js';
import { freePort } from '../../helpers/stackd.js';

jest.setTimeout(180_000);

let cluster: Cluster;
let stateDir: string;

async function certKubeconfig(name: string, ...args: string[]): Promise<Pick<ApiClient, 'file'> & { yaml: string }> {
  const res = await cluster.stackctl(['kubeconfig', '--client-cert', '--ca-key', join(stateDir, 'ca.key'), ...args]);
  if (res.code !== 0) throw new Error(`stackctl kubeconfig --client-cert: ${res.stderr}`);
  const file = join(cluster.logDir, `${name}.kubeconfig`);
  writeFileSync(file, res.stdout);
  return { file, yaml: res.stdout };
}
const asClient = (c: { file: string }) => c as ApiClient;

beforeAll(async () => {
  const port = await freePort();
  cluster = await Cluster.start([], []);
  stateDir = join(cluster.logDir, 'api-state');
  await cluster.manager.kill('SIGTERM');
  cluster.startManager(['--api-listen', `127.0.0.1:${port}`, '--api-state-dir', stateDir]);
  await eventually(() => certKubeconfig('probe').catch(() => undefined), 'the API server to publish its CA');
  await cluster.deploy('apcert', 'services:\n  x:\n    image: stackd/busybox:latest\n', '-d');
});

afterAll(async () => {
  await cluster?.stop();
});

test('the kubeconfig carries a certificate, no token', async () => {
  const { yaml } = await certKubeconfig('shape', '--role', 'viewer', '--user', 'apshape');
  expect(yaml).toMatch(/client-certificate-data: /);
  expect(yaml).toMatch(/client-key-data: /);
  expect(yaml).not.toMatch(/token:/);
  const pem = Buffer.from(/client-certificate-data: (\S+)/.exec(yaml)![1], 'base64').toString();
  const subject = execFileSync('openssl', ['x509', '-noout', '-subject'], { input: pem }).toString();
  expect(subject).toMatch(/O ?= ?stackd:viewers, CN ?= ?apshape/);
});

test('an admin certificate reads and deletes; a viewer reads and is forbidden to delete', async () => {
  const admin = asClient(await certKubeconfig('admin', '--user', 'apalice'));
  const viewer = asClient(await certKubeconfig('viewer', '--role', 'viewer', '--user', 'apbob'));
  expect((await kubectl(viewer, ['get', 'stacks'])).stdout).toMatch(/^apcert\s+1\s/m);
  const denied = await kubectl(viewer, ['delete', 'stack', 'apcert']);
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toMatch(/forbidden: viewer may only get, list and watch/);
  expect((await kubectl(admin, ['get', 'stacks'])).stdout).toMatch(/^apcert\s+1\s/m);
  const deleted = await kubectl(admin, ['delete', 'stack', 'apcert']);
  expect(deleted).toMatchObject({ code: 0 });
  expect((await kubectl(admin, ['get', 'stacks', '-o', 'name'])).stdout).not.toMatch(/apcert/);
});

test('a node certificate reads only its own Node; a certificate from another CA is 401', async () => {
  const node = asClient(await certKubeconfig('node', '--node', 'ap201'));
  const other = await kubectl(node, ['get', 'nodes.stackd.io', 'ap202']);
  expect(other.stderr).toMatch(/forbidden: node ap201 may get, register and update the status of Node ap201 only/);
  expect((await kubectl(node, ['get', 'gitsources'])).stderr).toMatch(/forbidden/);

  // the same kubeconfig with a key and certificate of a CA the server does not know
  const dir = cluster.logDir;
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/CN=rogue CA',
    '-keyout',
    'rogue-ca.key',
    '-out',
    'rogue-ca.crt',
    '-days',
    '1',
  ]);
  run([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    '/O=stackd:admins/CN=aprogue',
    '-keyout',
    'rogue.key',
    '-out',
    'rogue.csr',
  ]);
  run(['x509', '-req', '-in', 'rogue.csr', '-CA', 'rogue-ca.crt', '-CAkey', 'rogue-ca.key', '-set_serial', '1', '-days', '1', '-out', 'rogue.crt']);
  const { yaml } = await certKubeconfig('template', '--user', 'aptemplate');
  const doc = (await import('yaml')).parse(yaml);
  doc.users[0].user = {
    'client-certificate-data': execFileSync('base64', ['-w0', join(dir, 'rogue.crt')]).toString(),
    'client-key-data': execFileSync('base64', ['-w0', join(dir, 'rogue.key')]).toString(),
  };
  const rogueFile = join(dir, 'rogue.kubeconfig');
  writeFileSync(rogueFile, stringify(doc));
  const rogue = await kubectl(asClient({ file: rogueFile }), ['get', 'stacks']);
  expect(rogue.code).not.toBe(0);
  expect(rogue.stderr).toMatch(/Unauthorized|must be logged in/);
});

test('without the CA key, --client-cert fails with one line naming it', async () => {
  const res = await cluster.stackctl(['kubeconfig', '--client-cert', '--ca-key', join(cluster.logDir, 'nope.key')]);
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/cannot sign a client certificate with .*nope\.key: openssl/);
  expect(res.stderr.trim().split('\n')).toHaveLength(1);
});
