// The etcd backend against the Store conformance suite, on a dedicated etcd (restarted by one
// case, compacted by another), plus what only a network store has: an unreachable endpoint.
import { openEtcdStore } from '../../../src/store/etcd.js';
import { StoreUnavailableError } from '../../../src/store/store.js';
import { describeStoreConformance } from './conformance.js';
import { EtcdProcess, freePort } from './etcd-process.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await EtcdProcess.start();
}, 30_000);
afterAll(() => etcd?.stop());

describeStoreConformance('etcd', {
  open: () => openEtcdStore([etcd.endpoint]),
  openPeer: () => openEtcdStore([etcd.endpoint]),
  restart: () => etcd.restart(),
});

// the CLI's reads (etcd-gateway.ts): the same semantics through the JSON gateway
describeStoreConformance('etcd, gets and lists through the JSON gateway', {
  open: () => openEtcdStore([etcd.endpoint], { httpReads: true }),
  openPeer: () => openEtcdStore([etcd.endpoint], { httpReads: true }),
  restart: () => etcd.restart(),
});

describe('etcd store: unreachable endpoint', () => {
  it('fails to open with StoreUnavailableError naming the endpoint after bounded retries', async () => {
    const port = await freePort(); // nothing listens there
    const opening = openEtcdStore([`127.0.0.1:${port}`]);
    await expect(opening).rejects.toThrow(StoreUnavailableError);
    const message = await opening.then(
      () => 'opened',
      (err: Error) => err.message,
    );
    expect(message).toMatch(new RegExp(`^cannot reach store etcd://127\\.0\\.0\\.1:${port}: \\S`));
    expect(message.split('\n')).toHaveLength(1);
  }, 30_000);

  it.each([false, true])(
    'fails calls while etcd is down and works again once it is back (reads through the gateway: %s)',
    async (httpReads) => {
      const own = await EtcdProcess.start();
      const store = await openEtcdStore([own.endpoint], { retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 }, httpReads });
      try {
        const written = await store.txn([{ op: 'put', key: '/down/k', value: 'before' }]);
        await own.halt();
        await expect(store.get('/down/k')).rejects.toThrow(`cannot reach store etcd://${own.endpoint}: `);
        await own.resume();
        await expect(store.get('/down/k')).resolves.toMatchObject({ value: 'before', modRevision: written.revision });
      } finally {
        await store.close();
        await own.stop();
      }
    },
    30_000,
  );
});
