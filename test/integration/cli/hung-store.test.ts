// A store that accepts connections and never answers (etcd SIGSTOPped), and one that is not there:
// every command gives up with one line naming the endpoint and exit 1, within --request-timeout.
import { join } from 'node:path';
import { EXAMPLE, stackctl } from '../../helpers/cli.js';
import { EtcdProcess, freePort } from '../store/etcd-process.js';

let etcd: EtcdProcess;

beforeAll(async () => {
  etcd = await EtcdProcess.start();
});

afterAll(async () => {
  await etcd?.stop();
});

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('stackctl against a hung etcd', () => {
  test('ls, deploy and services each fail with one line naming the endpoint (default bound)', async () => {
    const store = `etcd://${etcd.endpoint}`;
    // the store answers before it hangs: the commands below fail because of the hang alone
    expect((await stackctl(['--store', store, 'ls'])).code).toBe(0);
    etcd.freeze();
    try {
      const results = await Promise.all([
        stackctl(['--store', store, 'ls']),
        stackctl(['--store', store, 'deploy', '-c', join(EXAMPLE, 'stack.yaml'), 'hungstore']),
        stackctl(['--store', store, 'services', 'hungstore']),
      ]);
      for (const res of results) {
        expect(oneLine(res.stderr)).toEqual([`stackctl: cannot reach store ${store}: no answer within 10s (--request-timeout)`]);
        expect(res.code).toBe(1);
      }
    } finally {
      etcd.thaw();
    }
  }, 90_000);

  test('--request-timeout sets the bound, before or after the command', async () => {
    const store = `etcd://${etcd.endpoint}`;
    etcd.freeze();
    try {
      const before = await stackctl(['--store', store, '--request-timeout', '2s', 'ls']);
      const after = await stackctl(['--store', store, 'services', 'x', '--request-timeout', '1500ms']);
      expect(oneLine(before.stderr)).toEqual([`stackctl: cannot reach store ${store}: no answer within 2s (--request-timeout)`]);
      expect(oneLine(after.stderr)).toEqual([`stackctl: cannot reach store ${store}: no answer within 1500ms (--request-timeout)`]);
      expect([before.code, after.code]).toEqual([1, 1]);
    } finally {
      etcd.thaw();
    }
  }, 60_000);

  test('a bad --request-timeout is bad input', async () => {
    const res = await stackctl(['--store', `etcd://${etcd.endpoint}`, '--request-timeout', 'soon', 'ls']);
    expect(oneLine(res.stderr)).toEqual(['--request-timeout: expected a duration like "1m30s" or "500ms", got "soon"']);
    expect(res.code).toBe(2);
  });

  test('an endpoint where nothing listens fails with one line naming it', async () => {
    const store = `etcd://127.0.0.1:${await freePort()}`;
    const res = await stackctl(['--store', store, 'ls']);
    expect(oneLine(res.stderr)).toEqual([expect.stringMatching(new RegExp(`^stackctl: cannot reach store ${store}: `))]);
    expect(res.code).toBe(1);
  }, 60_000);
});
