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

describe('etcd store: unreachable endpoint', () => {
  it('fails with StoreUnavailableError naming the endpoint after bounded retries', async () => {
    const port = await freePort(); // nothing listens there
    const opening = openEtcdStore([`127.0.0.1:${port}`], {
      retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 },
    });
    await expect(opening).rejects.toThrow(StoreUnavailableError);
    await expect(opening).rejects.toThrow(`cannot reach store etcd://127.0.0.1:${port}: `);
    const message = await opening.catch((err: Error) => err.message);
    expect(message.split('\n')).toHaveLength(1);
  }, 30_000);
});
