// Secrets and GitOps credentials sealed with AES-256-GCM under --encryption-key-file: the raw
// store (the SQLite file and its WAL; etcd's keys, values and data directory) holds no secret text
// and no base64 of it; the key opens them; a process without the key refuses to write a secret in
// the clear; `stackctl reencrypt` moves everything to a new first key, after which the old key alone
// opens nothing.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { EtcdProcess } from '../store/etcd-process.js';
import { openStore } from '../../../src/store/open.js';
import { getObject, listObjects } from '../../../src/client/objects.js';
import type { Secret } from '../../../src/api/objects.js';
import { readGitOpsSecret } from '../../../src/gitops/credentials.js';
import { keyId } from '../../../src/store/sealer.js';

/** Every file under `dir` (etcd's member/snap/db and member/wal/*.wal), or the file itself. */
function rawBytes(path: string): Buffer {
  if (!statSync(path).isDirectory()) return readFileSync(path);
  return Buffer.concat(readdirSync(path).map((f) => rawBytes(join(path, f))));
}

function newKey(): { text: string; id: string } {
  const key = randomBytes(32);
  return { text: key.toString('base64'), id: keyId(key) };
}

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await EtcdProcess.start();
}, 30_000);
afterAll(() => etcd?.stop());

const backends: [string, () => { url: string; raw: () => Buffer }][] = [
  [
    'embedded',
    () => {
      // the folder: state.db, and its -wal while one is open
      const folder = tempDir('stackd-sealed-');
      return { url: `sqlite://${join(folder, 'state.db')}`, raw: () => rawBytes(folder) };
    },
  ],
  [
    'etcd',
    () => ({
      url: `etcd://${etcd.endpoint}`,
      raw: () =>
        Buffer.concat([
          rawBytes(etcd.dataDir),
          execFileSync('etcdctl', ['--endpoints', etcd.endpoint, 'get', '/', '--prefix'], { env: { ...process.env, ETCDCTL_API: '3' } }),
        ]),
    }),
  ],
];

describe.each(backends)('secrets at rest on the %s store', (_name, backend) => {
  const dir = tempDir('stackd-sealed-stack-');
  const [keyA, keyB] = [newKey(), newKey()];
  const secretText = `db-password-${randomBytes(8).toString('hex')}`;
  const token = `gitops-token-${randomBytes(8).toString('hex')}`;
  const stack = `sealed${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  let store: { url: string; raw: () => Buffer };
  const keyFile = (name: string, ...keys: { text: string }[]) => {
    const file = join(dir, name);
    writeFileSync(file, `# first encrypts\n${keys.map((k) => k.text).join('\n')}\n`);
    return file;
  };
  const cli = (args: string[], keys?: string) => stackctl(['--store', store.url, ...args], { STACKD_STORE: undefined, STACKD_ENCRYPTION_KEY_FILE: keys });

  beforeAll(() => {
    store = backend();
    writeFileSync(join(dir, 'db_password.txt'), secretText);
    writeFileSync(
      join(dir, 'stack.yaml'),
      `services:\n  api:\n    image: stackd/busybox:latest\n    secrets: [db_password]\nsecrets:\n  db_password:\n    file: ./db_password.txt\n`,
    );
  });

  it('writes secret and credentials encrypted: nothing of them in the raw store, the key reads them back', async () => {
    const keys = keyFile('a.keys', keyA);
    const deployed = await cli(['deploy', '--detach', '-c', join(dir, 'stack.yaml'), stack], keys);
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    const created = await cli(['gitops', 'create-secret', `${stack}-creds`, '--from-literal', `token=${token}`], keys);
    expect(created.stdout).toBe(`gitopssecret/${stack}-creds created\n`);

    const raw = store.raw();
    for (const text of [secretText, token]) {
      expect(raw.includes(text)).toBe(false);
      expect(raw.includes(Buffer.from(text).toString('base64'))).toBe(false);
    }
    expect(raw.includes(`stackd:aes256gcm:v1:${keyA.id}:`)).toBe(true); // sealed, not lost

    const s = await openStore(store.url, { encryptionKeyFile: keys });
    try {
      const [secret] = (await listObjects<Secret>(s, 'Secret', stack)).items;
      expect(Buffer.from(secret.spec.data, 'base64').toString()).toBe(secretText);
      expect((await readGitOpsSecret(s, `${stack}-creds`))?.token.toString()).toBe(token);
    } finally {
      await s.close();
    }
  });

  it('inspect and config do not print the secret', async () => {
    const keys = keyFile('a.keys', keyA);
    const inspect = await cli(['service', 'inspect', `${stack}_api`], keys);
    expect(inspect.code).toBe(0);
    const config = await cli(['config', '-c', join(dir, 'stack.yaml')], keys);
    expect(config.code).toBe(0);
    for (const out of [inspect.stdout, config.stdout]) {
      expect(out).toContain('db_password');
      expect(out).not.toContain(secretText);
    }
  });

  it('without the key: reading a secret and writing one are refused in one line, exit 1', async () => {
    writeFileSync(join(dir, 'db_password.txt'), `${secretText}-changed`);
    const res = await cli(['deploy', '--detach', '-c', join(dir, 'stack.yaml'), stack]);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(res.stderr).toMatch(/is encrypted \(key [0-9a-f]{8}\): give the key file with --encryption-key-file|secrets in this store are encrypted at rest/);
    writeFileSync(join(dir, 'db_password.txt'), secretText);
    expect(store.raw().includes(`${secretText}-changed`)).toBe(false);
  });

  it('a bad key file is bad input naming file:line:col', async () => {
    const bad = join(dir, 'bad.keys');
    writeFileSync(bad, `${keyA.text}\nc2hvcnQ=\n`);
    const res = await cli(['ls'], bad);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`stackctl: ${bad}:2:1: a key is 32 bytes, this one is 5 (make one with: head -c 32 /dev/urandom | base64)\n`);
  });

  it('rotation: a new first key, reencrypt, then the new key alone opens everything and the old one nothing', async () => {
    const both = keyFile('ba.keys', keyB, keyA);
    const res = await cli(['reencrypt'], both);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe(`2 rewritten, 0 already under key ${keyB.id}\n`);
    expect((await cli(['reencrypt'], both)).stdout).toBe(`0 rewritten, 2 already under key ${keyB.id}\n`);

    const onlyB = await openStore(store.url, { encryptionKeyFile: keyFile('b.keys', keyB) });
    try {
      const [secret] = (await listObjects<Secret>(onlyB, 'Secret', stack)).items;
      expect(Buffer.from(secret.spec.data, 'base64').toString()).toBe(secretText);
      expect((await readGitOpsSecret(onlyB, `${stack}-creds`))?.token.toString()).toBe(token);
    } finally {
      await onlyB.close();
    }
    const onlyA = await openStore(store.url, { encryptionKeyFile: keyFile('a.keys', keyA) });
    try {
      await expect(getObject(onlyA, 'GitOpsSecret', '', `${stack}-creds`)).rejects.toThrow(`is encrypted with key ${keyB.id}, which is not in`);
    } finally {
      await onlyA.close();
    }
  });
});
