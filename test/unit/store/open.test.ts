import { describeStoreLocation, parseStoreUrl, resolveStoreLocation } from '../../../src/store/open.js';

const ctx = { env: {}, home: '/home/me', cwd: '/work/dir' };

describe('store URLs', () => {
  it.each([
    ['etcd://h1:2379,h2:2379', { kind: 'etcd', endpoints: ['h1:2379', 'h2:2379'] }],
    ['etcd://127.0.0.1:23791/', { kind: 'etcd', endpoints: ['127.0.0.1:23791'] }],
    ['etcd://etcd-a, etcd-b:4001', { kind: 'etcd', endpoints: ['etcd-a:2379', 'etcd-b:4001'] }],
    ['etcds://h1:2379,h2', { kind: 'etcd', endpoints: ['h1:2379', 'h2:2379'], tls: true }],
    ['sqlite:///var/lib/stackd/state.db', { kind: 'sqlite', path: '/var/lib/stackd/state.db' }],
    ['sqlite://state.db', { kind: 'sqlite', path: '/work/dir/state.db' }],
    ['sqlite://../other/state.db', { kind: 'sqlite', path: '/work/other/state.db' }],
    ['sqlite://~/s.db', { kind: 'sqlite', path: '/home/me/s.db' }],
  ])('%s', (url, expected) => {
    expect(parseStoreUrl(url, ctx)).toEqual(expected);
  });

  it.each([
    ['redis://h:6379', 'unknown scheme "redis"'],
    ['/var/lib/state.db', 'not a URL'],
    ['etcd://', 'empty endpoint'],
    ['etcd://h1:2379,,h2', 'empty endpoint'],
    ['etcd://h1:port', 'bad endpoint "h1:port"'],
    ['sqlite://', 'no file path'],
  ])('rejects %s in one line naming the value and the accepted forms', (url, why) => {
    let message = '';
    try {
      parseStoreUrl(url, ctx, '--store');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `invalid --store "${url}": ${why}; use etcd://host:2379[,host:2379...], etcds://host:2379[,...] (TLS), sqlite:///absolute/path.db or sqlite://relative/path.db`,
    );
  });

  it('takes the flag first, then STACKD_STORE, then ~/.stackd/state.db', () => {
    const env = { STACKD_STORE: 'etcd://from-env:2379' };
    expect(resolveStoreLocation('sqlite:///flag.db', { ...ctx, env })).toEqual({ kind: 'sqlite', path: '/flag.db' });
    expect(resolveStoreLocation(undefined, { ...ctx, env })).toEqual({ kind: 'etcd', endpoints: ['from-env:2379'] });
    expect(resolveStoreLocation(undefined, ctx)).toEqual({ kind: 'sqlite', path: '/home/me/.stackd/state.db', isDefault: true });
    expect(resolveStoreLocation('', { ...ctx, env: { STACKD_STORE: '' } })).toMatchObject({ isDefault: true });
  });

  it('names the environment variable when its value is wrong', () => {
    expect(() => resolveStoreLocation(undefined, { ...ctx, env: { STACKD_STORE: 'nope' } })).toThrow('invalid STACKD_STORE "nope": not a URL');
  });

  it('describes a location as the URL that opens it', () => {
    expect(describeStoreLocation({ kind: 'etcd', endpoints: ['a:1', 'b:2'] })).toBe('etcd://a:1,b:2');
    expect(describeStoreLocation({ kind: 'etcd', endpoints: ['a:1'], tls: true })).toBe('etcds://a:1');
    expect(describeStoreLocation({ kind: 'sqlite', path: '/x/state.db' })).toBe('sqlite:///x/state.db');
  });
});
