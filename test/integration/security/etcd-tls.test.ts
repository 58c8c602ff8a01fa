// stackctl and stackd on a TLS-only etcd that checks client certificates and has auth on: with the
// CA and a client certificate (flags or STACKD_STORE_* variables) everything works, a container
// included; without the certificate, with the wrong password or with a plain etcd:// URL the CLI
// says so in one line and exits non-zero.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { TlsEtcd } from '../../helpers/etcd-tls.js';
import { docker, eventually, StackdProcess } from '../../helpers/stackd.js';
import { openStore } from '../../../src/store/open.js';

const NODE = 'ha80';
let etcd: TlsEtcd;
beforeAll(async () => {
  etcd = await TlsEtcd.start();
}, 60_000);
afterAll(() => etcd?.stop());

/** stackctl with only the variables given (none of the test etcd's TLS settings leak in). */
function cli(args: string[], env: Record<string, string | undefined>) {
  return stackctl(args, { STACKD_STORE: undefined, STACKD_STORE_CACERT: undefined, STACKD_STORE_CERT: undefined, STACKD_STORE_KEY: undefined, ...env });
}

describe('etcd over TLS with client certificates and auth', () => {
  it('opens with the CA and client certificate as flags: writes, reads and watches', async () => {
    const c = etcd.certs;
    const store = await openStore(etcd.url, { storeCacert: c.ca, storeCert: c.cert, storeKey: c.key });
    try {
      const { revision } = await store.txn([{ op: 'put', key: '/tls-test/a', value: 'over tls' }]);
      await expect(store.get('/tls-test/a')).resolves.toMatchObject({ value: 'over tls', modRevision: revision });
      // etcd itself (as root) sees the write: it went to this server, authenticated as CN=stackd
      expect(await etcd.ctl('get', '/tls-test/a', '--print-value-only')).toBe('over tls\n');
    } finally {
      await store.close();
    }
  });

  it('logs in as an etcd user with a password file on top of the certificate', async () => {
    const res = await cli(['ls'], { ...etcd.env, STACKD_STORE_USER: 'stackd', STACKD_STORE_PASSWORD: undefined, STACKD_STORE_PASSWORD_FILE: etcd.passwordFile });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^NAME\s+SERVICES\s+CREATED/);
  });

  it('without a client certificate the CLI exits 1 with one line', async () => {
    const res = await cli(['--store', etcd.url, '--store-cacert', etcd.certs.ca, 'ls'], {});
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `stackctl: cannot reach store ${etcd.url}: etcd refused the TLS handshake: give a client certificate signed by the CA etcd trusts (--store-cert and --store-key)\n`,
    );
  });

  it('without the CA the CLI exits 1 saying the server certificate is not trusted', async () => {
    const res = await cli(['--store', etcd.url, '--store-cert', etcd.certs.cert, '--store-key', etcd.certs.key, 'ls'], {});
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`stackctl: cannot reach store ${etcd.url}: etcd's certificate is not signed by a CA stackd trusts: give that CA with --store-cacert\n`);
  });

  it('a wrong password is one line and exit 1', async () => {
    const res = await cli(['ls'], { ...etcd.env, STACKD_STORE_USER: 'stackd', STACKD_STORE_PASSWORD: 'not-it' });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`stackctl: etcd ${etcd.url}: etcdserver: authentication failed, invalid user ID or password\n`);
  });

  it('certificates with a plain etcd:// URL, or a certificate without its key, are bad input (exit 2), nothing connects', async () => {
    const plain = etcd.url.replace('etcds://', 'etcd://');
    const res = await cli(['ls'], { ...etcd.env, STACKD_STORE: plain });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`stackctl: STACKD_STORE_CACERT is set but store ${plain} is plain etcd://: use etcds:// for TLS\n`);
    const noKey = await cli(['--store', etcd.url, '--store-cacert', etcd.certs.ca, '--store-cert', etcd.certs.cert, 'ls'], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toBe('stackctl: --store-cert needs a key: set --store-key or STACKD_STORE_KEY\n');
  });

  it('stackd (manager and agent) runs a stack over TLS with its secret encrypted at rest, and stackctl deploys and lists it', async () => {
    const c = etcd.certs;
    const logDir = tempDir('stackd-tls-');
    const keys = join(logDir, 'encryption.keys');
    writeFileSync(keys, `${randomBytes(32).toString('base64')}\n`);
    const env = { ...etcd.env, STACKD_ENCRYPTION_KEY_FILE: keys };
    const daemon = await StackdProcess.start(etcd.url, NODE, join(logDir, 'stackd.log'), 30_000, [
      ...['--store-cacert', c.ca, '--store-cert', c.cert, '--store-key', c.key, '--encryption-key-file', keys],
    ]);
    const stack = `tls${Date.now().toString(36)}`;
    try {
      const file = join(logDir, 'stack.yaml');
      const secretText = `tls-secret-${randomBytes(6).toString('hex')}`;
      writeFileSync(join(logDir, 'token.txt'), secretText);
      writeFileSync(
        file,
        'services:\n  sleeper:\n    image: stackd/busybox:latest\n    command: ["sh", "-c", "trap exit TERM; while true; do sleep 1; done"]\n    secrets: [token]\nsecrets:\n  token:\n    file: ./token.txt\n',
      );
      const deployed = await cli(['deploy', '--detach', '-c', file, stack], env);
      expect(deployed.stderr).toBe('');
      expect(deployed.code).toBe(0);
      await eventually(async () => {
        const ps = await cli(['ps', stack], env);
        expect(ps.stdout).toMatch(new RegExp(`${stack}_sleeper\\.1\\s.*${NODE}\\s+Running\\s+Running`));
      }, 60_000);
      const [id] = (await docker('ps', '-q', '--filter', `label=io.stackd.stack=${stack}`)).split('\n');
      // the agent decrypted it with the key; etcd holds only ciphertext
      expect(await docker('exec', id, 'cat', '/run/secrets/token')).toBe(secretText);
      expect(await etcd.ctl('get', '/stackd/secrets/', '--prefix')).not.toContain(Buffer.from(secretText).toString('base64'));
    } finally {
      await cli(['rm', stack], env);
      await eventually(async () => (await docker('ps', '-aq', '--filter', `label=io.stackd.stack=${stack}`)) === '', 30_000).catch(() => undefined);
      await daemon.stop();
    }
  }, 120_000);
});
