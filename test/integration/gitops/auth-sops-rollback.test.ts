// GitOps over smart HTTP with basic auth (wrong, then right credentials), a SOPS-encrypted secret
// decrypted only into the Secret object, and a rollout that rolls back marking the source not Ready.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import type { GitSource } from '../../../src/api/objects.js';
import { openStore } from '../../../src/store/open.js';
import { tempDir } from '../../helpers/cli.js';
import { GitServer, initBare, WorkingCopy } from '../../helpers/git-server.js';
import { encryptSops } from '../../helpers/sops-encrypt.js';
import { docker, idleCommand, SingleNode } from '../../helpers/stackd.js';

const node = new SingleNode('gitauth');
const auth = { username: 'deploy', password: 'right-horse-battery' };
const WRONG = 'wrong-horse-staple';
const PLAIN = `plain-${Math.random().toString(36).slice(2)}-token`;
let server: GitServer;
const secrets = tempDir('stackd-gitops-secrets-');

async function status(name: string): Promise<GitSource> {
  const res = await node.stackctl(['gitops', 'status', name, '--format', 'json']);
  if (res.code !== 0) throw new Error(res.stderr);
  return JSON.parse(res.stdout) as GitSource;
}
const ready = (src: GitSource) => src.status?.conditions?.find((c) => c.type === 'Ready');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function createSecret(name: string, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).flatMap(([key, value]) => {
    const file = join(secrets, `${name}-${key}`);
    writeFileSync(file, value);
    return ['--from-file', `${key}=${file}`];
  });
  const res = await node.stackctl(['gitops', 'create-secret', name, ...args]);
  if (res.code !== 0) throw new Error(res.stderr);
}

beforeAll(async () => {
  const identity = await generateIdentity();
  const keyFile = join(secrets, 'age.key');
  writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
  (globalThis as { recipient?: string }).recipient = await identityToRecipient(identity);
  server = await GitServer.start({ auth });
  await server.createRepo('private');
  await node.start(['--sops-age-key-file', keyFile]);
});

afterAll(async () => {
  for (const name of ['private', 'sops', 'rollback']) await node.stackctl(['gitops', 'rm', name, '--prune']);
  await node.cleanup();
  await server?.close();
});

describe('gitops credentials, SOPS and rollbacks', () => {
  test(
    'wrong credentials give a clear condition and show up nowhere; the right ones sync',
    node.logged(async () => {
      const work = await WorkingCopy.clone(server.url('private', auth));
      await work
        .write('privapp/stack.yml', `services:\n  app:\n    image: stackd/busybox:latest\n    init: true\n    command: ${idleCommand()}\n`)
        .commitAndPush('first');

      const missing = await node.stackctl(['gitops', 'add', 'private', '--repo', server.url('private'), '--secret-ref', 'gitcreds', '--interval', '1h']);
      expect(missing.code).toBe(0);
      let sync = await node.stackctl(['gitops', 'sync', 'private', '--timeout', '60s']);
      expect(sync.code).toBe(1);
      expect(ready(await status('private'))?.message).toContain('gitopssecret gitcreds not found');

      await createSecret('gitcreds', { username: auth.username, password: WRONG });
      sync = await node.stackctl(['gitops', 'sync', 'private', '--timeout', '60s']);
      expect(sync.code).toBe(1);
      const src = await status('private');
      expect(ready(src)?.reason).toBe('AuthenticationFailed');
      expect(ready(src)?.message).toMatch(/^the server refused the credentials in gitopssecret gitcreds: /);
      expect(server.requests.some((r) => r.authorized)).toBe(true);
      expect(JSON.stringify(src)).not.toContain(WRONG);
      expect(readFileSync(node.stackd!.logFile, 'utf8')).not.toContain(WRONG);

      await createSecret('gitcreds', { username: auth.username, password: auth.password });
      sync = await node.stackctl(['gitops', 'sync', 'private', '--timeout', '90s']);
      expect(sync.stderr).toBe('');
      expect(sync.code).toBe(0);
      expect(ready(await status('private'))?.status).toBe('True');
      expect((await node.containers('privapp', { running: true })).length).toBe(1);
      expect(readFileSync(node.stackd!.logFile, 'utf8')).not.toContain(auth.password);
    }),
  );

  test(
    'a SOPS-encrypted secret arrives decrypted in the container and nowhere else',
    node.logged(async () => {
      const recipient = (globalThis as { recipient?: string }).recipient!;
      const bare = join(tempDir('stackd-gitops-sops-'), 'sops.git');
      mkdirSync(bare);
      await initBare(bare);
      const work = await WorkingCopy.clone(`file://${bare}`);
      const enc = await encryptSops(Buffer.from(PLAIN), 'token.txt', [recipient]);
      expect(enc.toString()).not.toContain(PLAIN);
      await work
        .write('vault/token.txt', enc.toString())
        .write(
          'vault/stack.yml',
          `services:\n  app:\n    image: stackd/busybox:latest\n    init: true\n    command: ${idleCommand()}\n    secrets: [token]\nsecrets:\n  token:\n    file: ./token.txt\n`,
        )
        .commitAndPush('encrypted token');
      expect((await node.stackctl(['gitops', 'add', 'sops', '--repo', `file://${bare}`, '--interval', '1h'])).code).toBe(0);
      const sync = await node.stackctl(['gitops', 'sync', 'sops', '--timeout', '90s']);
      expect(sync.stderr).toBe('');
      expect(sync.code).toBe(0);

      const [container] = await node.containers('vault', { running: true });
      expect((await docker('exec', container.Id, 'cat', '/run/secrets/token')).trim()).toBe(PLAIN);
      const cache = join(node.dir, 'gitops-cache');
      const leaked = filesUnder(cache).filter((f) => readFileSync(f).includes(PLAIN));
      expect(leaked).toEqual([]);
      expect(filesUnder(cache).some((f) => f.endsWith('vault/token.txt'))).toBe(true);
      expect(readFileSync(node.stackd!.logFile, 'utf8')).not.toContain(PLAIN);
      expect(JSON.stringify(await status('sops'))).not.toContain(PLAIN);
      // the Secret object holds it (base64), as with `stackctl deploy`
      const store = await openStore(node.storeUrl);
      try {
        const { items } = await store.list('/stackd/secrets/vault/');
        expect(items.map((kv) => Buffer.from(JSON.parse(kv.value).spec.data, 'base64').toString())).toEqual([PLAIN]);
      } finally {
        await store.close();
      }
    }),
  );

  test(
    'a rollout that rolls back marks the source not Ready, and the same commit is not applied again',
    node.logged(async () => {
      const bare = join(tempDir('stackd-gitops-rb-'), 'rb.git');
      mkdirSync(bare);
      await initBare(bare);
      const work = await WorkingCopy.clone(`file://${bare}`);
      const file = (healthy: boolean) => `services:
  app:
    image: stackd/busybox:latest
    init: true
    command: ${idleCommand(healthy ? 'v1' : 'v2')}
    healthcheck:
      test: ["CMD", "${healthy ? 'true' : 'false'}"]
      interval: 1s
      retries: 1
    deploy:
      update_config:
        failure_action: rollback
        monitor: 3s
`;
      await work.write('flaky/stack.yml', file(true)).commitAndPush('healthy');
      expect((await node.stackctl(['gitops', 'add', 'rollback', '--repo', `file://${bare}`, '--interval', '1h'])).code).toBe(0);
      expect((await node.stackctl(['gitops', 'sync', 'rollback', '--timeout', '90s'])).code).toBe(0);

      await work.write('flaky/stack.yml', file(false)).commitAndPush('unhealthy');
      const sync = await node.stackctl(['gitops', 'sync', 'rollback', '--timeout', '120s']);
      expect(sync.code).toBe(1);
      const src = await status('rollback');
      expect(ready(src)?.reason).toBe('RolloutRolledBack');
      expect(src.status?.stacks?.find((s) => s.stack === 'flaky')?.result).toBe('rolled back');

      // the next sync of the same commit leaves the rolled-back stack alone (no rollout loop)
      const store = await openStore(node.storeUrl);
      try {
        const generations = async () => (await store.list('/stackd/services/flaky/')).items.map((kv) => JSON.parse(kv.value).metadata.generation as number);
        const before = await generations();
        expect((await node.stackctl(['gitops', 'sync', 'rollback', '--timeout', '60s'])).code).toBe(1);
        expect(await generations()).toEqual(before);
      } finally {
        await store.close();
      }
    }),
  );
});
