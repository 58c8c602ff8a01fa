// The Store conformance suite: every backend (etcd, embedded SQLite) must pass it unchanged.
// A backend's test file calls describeStoreConformance('name', harness).
import type { Store } from '../../../src/store/store.js';
import { describeKvCases } from './conformance-kv.js';
import { describeTxnCases } from './conformance-txn.js';
import { describeWatchCases } from './conformance-watch.js';
import { describeLeaseCases } from './conformance-lease.js';
import { describeElectionCases } from './conformance-election.js';
import { describeIdentityCases } from './conformance-identity.js';

export interface StoreHarness {
  /** a fresh, empty store (e.g. a new client on a dedicated server, or a new file) */
  open(): Promise<Store>;
  /** a second client of the same data as `store`, as another process would open it: used for
   *  leader failover and for a lease outliving the store that held it */
  openPeer(store: Store): Promise<Store>;
  /** stop and start the server/backend under open stores (they stay open); for the
   *  "restart during a watch loses no event" case. Resolves when the backend serves again. */
  restart?(): Promise<void>;
}

/** Opens stores for one test and closes them all afterwards. */
export class StoreFixture {
  private readonly stores: Store[] = [];
  constructor(readonly harness: StoreHarness) {}

  async open(): Promise<Store> {
    return this.track(await this.harness.open());
  }

  async openPeer(store: Store): Promise<Store> {
    return this.track(await this.harness.openPeer(store));
  }

  async closeAll(): Promise<void> {
    const stores = this.stores.splice(0);
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  }

  private track(store: Store): Store {
    this.stores.push(store);
    return store;
  }
}

export function describeStoreConformance(name: string, harness: StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    const fixture = new StoreFixture(harness);
    afterEach(() => fixture.closeAll());

    describeKvCases(fixture);
    describeTxnCases(fixture);
    describeWatchCases(fixture);
    describeLeaseCases(fixture);
    describeElectionCases(fixture);
    describeIdentityCases(fixture);
  });
}
