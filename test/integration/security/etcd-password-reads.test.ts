// stackctl on a TLS etcd with passwords but no client certificate: its reads go through etcd's JSON
// gateway (src/store/etcd-gateway.ts, no gRPC client loaded), logged in with the password, the
// server checked against the CA; writes still use gRPC; a wrong password or a CA that did not sign
// the server's certificate is one line and exit 1, as on the gRPC path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, tempDir } from '../../helpers/cli.js';
import { STACKD_PASSWORD, TlsEtcd } from '../../helpers/etcd-tls.js';

let etcd: TlsEtcd;
beforeAll(async () => {
  etcd = await TlsEtcd.start({ clientCertAuth: false });
}, 60_000);
afterAll(() => etcd?.stop());

const dir = tempDir('stackd-etcd-password-');
const env = (password: string) => ({
  STACKD_STORE: etcd.url,
  STACKD_STORE_CACERT: etcd.certs.ca,
  STACKD_STORE_CERT: undefined,
  STACKD_STORE_KEY: undefined,
  STACKD_STORE_USER: 'stackd',
  STACKD_STORE_PASSWORD: password,
});

describe('etcd over TLS with passwords, no client certificate', () => {
  it('deploys over gRPC, then lists and inspects through the gateway as user stackd', async () => {
    const file = join(dir, 'stack.yml');
    writeFileSync(file, 'services:\n  app:\n    image: stackd/busybox:latest\n    deploy:\n      replicas: 2\n');
    const deployed = await stackctl(['deploy', '--detach', '-c', file, 'pwd'], env(STACKD_PASSWORD));
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    const ls = await stackctl(['ls'], env(STACKD_PASSWORD));
    expect(ls.stderr).toBe('');
    expect(ls.stdout).toMatch(/^pwd\s+1\s/m);
    const services = await stackctl(['services', 'pwd', '--format', 'json'], env(STACKD_PASSWORD));
    expect(services.code).toBe(0);
    expect(JSON.parse(services.stdout)).toEqual([expect.objectContaining({ name: 'pwd_app', replicas: expect.stringMatching(/\/2$/) })]);
  });

  it('a wrong password is one line and exit 1', async () => {
    const res = await stackctl(['ls'], env('not-it'));
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`stackctl: etcd ${etcd.url}: etcdserver: authentication failed, invalid user ID or password\n`);
  });

  it('a CA that did not sign the server is one line and exit 1', async () => {
    const res = await stackctl(['ls'], { ...env(STACKD_PASSWORD), STACKD_STORE_CACERT: etcd.certs.cert });
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')).toEqual([
      expect.stringMatching(/^stackctl: .*etcd's certificate is not signed by a CA stackd trusts: give that CA with --store-cacert$/),
      '',
    ]);
  });
});
