// deploy / ls / rm through the built CLI, against both Store backends.
import { copyFileSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, stackctl, storeUrls, tempDir } from '../../helpers/cli.js';
import { openStore } from '../../../src/store/open.js';
import { listObjects, getObject } from '../../../src/client/objects.js';

/** The accounts example copied somewhere writable. */
function exampleCopy(): string {
  const dir = tempDir('stackd-accounts-');
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

describe.each(storeUrls())('stacks on the %s store', (_name, newUrl) => {
  let url: string;
  let dir: string;
  const stackName = `acc${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

  beforeAll(() => {
    url = newUrl();
    dir = exampleCopy();
  });

  it('deploys the accounts example: the stack and every child in one write', async () => {
    const res = await stackctl(['--store', url, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), stackName]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    // configs and secrets are versioned by content: <key>-<12 hex of sha256>
    expect(
      res.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/-[0-9a-f]{12} /, '-<sha> ')),
    ).toEqual([
      `stack/${stackName} created`,
      `network/${stackName}_default created`,
      `volume/${stackName}_mysql created`,
      `secret/${stackName}_secret_config-<sha> created`,
      `config/${stackName}_plain_config-<sha> created`,
      `service/${stackName}_api created`,
      `service/${stackName}_mysql created`,
      `service/${stackName}_web created`,
    ]);
    const store = await openStore(url);
    try {
      const services = await listObjects(store, 'Service', stackName);
      const revisions = new Set(services.items.map((s) => s.metadata.resourceVersion));
      expect(revisions.size).toBe(1); // one transaction
      const api = services.items.find((s) => s.metadata.name === 'api')!;
      expect((api.spec as { template: { image: string } }).template.image).toBe('stackd/accounts-api:dev');
      const [secret] = (await listObjects(store, 'Secret', stackName)).items;
      expect(secret.metadata.name).toMatch(/^secret_config-[0-9a-f]{12}$/);
      expect(Buffer.from((secret.spec as { data: string }).data, 'base64').toString()).toContain('jwt_secret');
      // the service is pinned to that version, so a content change is a new revision
      expect((api.spec as { template: { secrets: { version?: string }[] } }).template.secrets[0].version).toBe(secret.metadata.name.split('-').pop());
    } finally {
      await store.close();
    }
  });

  it('an identical redeploy changes nothing: same generation, same resourceVersion', async () => {
    const store = await openStore(url);
    try {
      const before = await listObjects(store, 'Service', stackName);
      const res = await stackctl(['--store', url, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), stackName]);
      expect(res.code).toBe(0);
      expect(res.stdout).not.toMatch(/created|updated/);
      expect(res.stdout).toContain(`service/${stackName}_web unchanged`);
      const after = await listObjects(store, 'Service', stackName);
      expect(after.items.map((s) => [s.metadata.name, s.metadata.generation, s.metadata.resourceVersion])).toEqual(
        before.items.map((s) => [s.metadata.name, s.metadata.generation, s.metadata.resourceVersion]),
      );
    } finally {
      await store.close();
    }
  });

  it('a changed image updates only that service and bumps its generation', async () => {
    writeFileSync(
      join(dir, '.env'),
      'ACCOUNT_FRONTEND_IMAGE=web:2\nACCOUNT_IMAGE=stackd/accounts-api:dev\nMYSQL_IMAGE=stackd/mysql-standin:5.7\nMYSQL_PASSWORD=123\nMYSQL_DB=accounts\n',
    );
    const res = await stackctl(['--store', url, 'deploy', '--detach', '-c', join(dir, 'stack.yaml'), stackName]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`service/${stackName}_web updated`);
    expect(res.stdout).toContain(`service/${stackName}_api unchanged`);
    const store = await openStore(url);
    try {
      const web = await getObject(store, 'Service', stackName, 'web');
      expect(web!.metadata.generation).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('invalid input exits 2 with file:line:col and writes nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'services:\n  web:\n    image: x\n    deploy:\n      replicas: three\n');
    const res = await stackctl(['--store', url, 'deploy', '--detach', '-c', bad, `${stackName}bad`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.yaml:5:\d+ services\.web\.deploy\.replicas: /);
    const ls = await stackctl(['--store', url, 'ls', '--format', 'json']);
    expect(JSON.parse(ls.stdout).map((s: { name: string }) => s.name)).not.toContain(`${stackName}bad`);
  });

  it('ls lists the stack with its service count, as a table and as JSON', async () => {
    const table = await stackctl(['--store', url, 'ls']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+SERVICES\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${stackName}\\s+3\\s+`, 'm'));
    const json = JSON.parse((await stackctl(['--store', url, 'ls', '--format', 'json'])).stdout);
    expect(json.find((s: { name: string }) => s.name === stackName)).toMatchObject({ services: 3 });
  });

  it('rm deletes the stack and everything it owns; a second rm says there is nothing', async () => {
    const res = await stackctl(['--store', url, 'rm', stackName]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Removing service ${stackName}_web`);
    const store = await openStore(url);
    try {
      for (const kind of ['Service', 'Network', 'Volume', 'Config', 'Secret'] as const) {
        expect((await listObjects(store, kind, stackName)).items).toEqual([]);
      }
      expect(await getObject(store, 'Stack', '', stackName)).toBeUndefined();
    } finally {
      await store.close();
    }
    const again = await stackctl(['--store', url, 'rm', stackName]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`stackctl: nothing found in stack: ${stackName}\n`);
  });
});

describe('store selection and failures', () => {
  it('an unreachable etcd gives one line naming the endpoint and exit 1', async () => {
    const res = await stackctl(['--store', 'etcd://127.0.0.1:1', 'ls']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('etcd://127.0.0.1:1');
  });

  it('STACKD_STORE selects the store when --store is absent', async () => {
    const dir = tempDir();
    const url = `sqlite://${join(dir, 'env.db')}`;
    copyFileSync(join(EXAMPLE, 'config', 'plain.yaml'), join(dir, 'plain.yaml'));
    writeFileSync(join(dir, 'stack.yml'), 'services:\n  app:\n    image: busybox\n');
    expect((await stackctl(['deploy', '--detach', '-c', join(dir, 'stack.yml'), 'envstack'], { STACKD_STORE: url })).code).toBe(0);
    const ls = await stackctl(['ls', '--format', 'json'], { STACKD_STORE: url });
    expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'envstack', services: 1 })]);
  });

  it('rejects a bad stack name before reading any file', async () => {
    const res = await stackctl(['--store', 'sqlite:///nonexistent/x.db', 'deploy', '-c', 'nope.yml', 'Bad Name']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid stack name "Bad Name"/);
  });
});
