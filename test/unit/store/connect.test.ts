import { checkConnectSettings, loadEtcdSecurity, resolveConnectSettings } from '../../../src/store/connect.js';
import { etcdSecurityOptions, tlsFailure } from '../../../src/store/etcd-security.js';

const URL = 'etcds://h:2379';

describe('store connection settings', () => {
  it('takes each flag first, then its STACKD_STORE_* variable, and remembers which', () => {
    const env = { STACKD_STORE_CACERT: '/env/ca', STACKD_STORE_CERT: '/env/crt', STACKD_STORE_KEY: '/env/key', STACKD_STORE_USER: 'u', STACKD_STORE_PASSWORD: 'pw' };
    const s = resolveConnectSettings({ storeCert: '/flag/crt' }, env);
    expect(s.cert).toEqual({ value: '/flag/crt', source: '--store-cert' });
    expect(s.cacert).toEqual({ value: '/env/ca', source: 'STACKD_STORE_CACERT' });
    expect(s.key).toEqual({ value: '/env/key', source: 'STACKD_STORE_KEY' });
    expect(s.user).toEqual({ value: 'u', source: 'STACKD_STORE_USER' });
    expect(s.password).toEqual({ value: 'pw', source: 'STACKD_STORE_PASSWORD' });
    expect(resolveConnectSettings({}, {})).toEqual({});
  });

  it.each([
    [{ storeCacert: '/ca' }, false, 'etcd://h:2379', '--store-cacert is set but store etcd://h:2379 is plain etcd://: use etcds:// for TLS'],
    [{ storeCert: '/c' }, true, URL, '--store-cert needs a key: set --store-key or STACKD_STORE_KEY'],
    [{ storeKey: '/k' }, true, URL, '--store-key needs a certificate: set --store-cert or STACKD_STORE_CERT'],
    [{ storeUser: 'u' }, true, URL, '--store-user needs a password: set --store-password-file or STACKD_STORE_PASSWORD'],
    [{ storePasswordFile: '/pw' }, false, 'etcd://h:2379', '--store-password-file needs a user: set --store-user or STACKD_STORE_USER'],
  ])('%j on %s is refused in one line', (flags, tls, url, message) => {
    expect(checkConnectSettings(resolveConnectSettings(flags, {}), tls, url)).toBe(message);
  });

  it('accepts TLS alone, TLS with a user, and a user on plain etcd', () => {
    expect(checkConnectSettings(resolveConnectSettings({ storeCacert: '/ca', storeCert: '/c', storeKey: '/k' }, {}), true, URL)).toBeUndefined();
    expect(checkConnectSettings(resolveConnectSettings({ storeUser: 'u' }, { STACKD_STORE_PASSWORD: 'p' }), true, URL)).toBeUndefined();
    expect(checkConnectSettings(resolveConnectSettings({ storeUser: 'u', storePasswordFile: '/pw' }, {}), false, 'etcd://h')).toBeUndefined();
  });

  it('names the setting and the file it cannot read', async () => {
    const settings = resolveConnectSettings({}, { STACKD_STORE_CACERT: '/nonexistent/ca.crt' });
    await expect(loadEtcdSecurity(settings, true, URL)).rejects.toThrow('cannot read STACKD_STORE_CACERT /nonexistent/ca.crt: ENOENT');
  });

  it('makes https hosts and gRPC credentials for TLS, http hosts without', () => {
    expect(etcdSecurityOptions(['a:1', 'b:2'])).toEqual({ hosts: ['http://a:1', 'http://b:2'] });
    const ca = Buffer.from('ca');
    const opts = etcdSecurityOptions(['a:1'], { tls: { ca }, auth: { username: 'u', password: 'p' } });
    expect(opts.hosts).toEqual(['https://a:1']);
    expect(opts.credentials?.rootCertificate).toBe(ca);
    expect(opts.auth).toEqual({ username: 'u', password: 'p' });
  });

  it.each([
    [
      '14 UNAVAILABLE: No connection established. Last error: Error: 80:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate',
      /refused the TLS handshake/,
    ],
    ['14 UNAVAILABLE: No connection established. Last error: unable to verify the first certificate', /not signed by a CA stackd trusts/],
    ["Hostname/IP does not match certificate's altnames", /does not name the host/],
  ])('explains the TLS failure %s', (message, expected) => {
    expect(tlsFailure(message)).toMatch(expected);
  });

  it('leaves other failures alone', () => {
    expect(tlsFailure('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:1')).toBeUndefined();
  });
});
