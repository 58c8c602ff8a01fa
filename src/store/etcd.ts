// The etcd backend of the Store. Only store/etcd*.ts import etcd3, and only when a call needs it:
// opened with httpReads (the CLI), gets and lists go through etcd's JSON gateway instead.
import type { Etcd3, IOptions, IRangeRequest } from 'etcd3';
import { lazyRequire } from '../lazy-require.js';
import { EtcdGateway, gatewayUsableFor } from './etcd-gateway.js';
import type { Observable, Subject } from 'rxjs';
import { rx } from './rx.js';
import { StoreElection } from './store-election.js';
import type { EtcdSecurity } from './connect.js';
import { etcdSecurityOptions } from './etcd-security.js';
import { EtcdLease } from './etcd-lease.js';
import { DEFAULT_RETRY, type RetryPolicy, StoreClosedError, withRetry } from './etcd-retry.js';
import { fromEtcdKv, fromEtcdTxn, toEtcdTxn } from './etcd-txn.js';
import { reconnectDelayMs, watchPrefix } from './etcd-watch.js';
import type { Election, KeyValue, Lease, LeaseOptions, ListResult, Store, TxnOp, TxnResult, WatchMessage } from './store.js';

export interface EtcdStoreOptions {
  /** retries of each call before it fails with StoreUnavailableError */
  retry?: RetryPolicy;
  /** deadline of each unary call (a list of 100k keys takes about a second) */
  callTimeoutMs?: number;
  /** TLS files and etcd user/password (connect.ts) */
  security?: EtcdSecurity;
  /** get and list through etcd's JSON gateway, so that a process that only reads never loads the
   *  gRPC client (short commands: loading it costs more than the read); writes, watches and leases
   *  still load it. Not with a client certificate (etcd-gateway.ts) */
  httpReads?: boolean;
}

const etcd3 = lazyRequire<typeof import('etcd3')>('etcd3');

type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** We retry ourselves (withRetry); the client's own policies would double the waits. The client
 *  never reads the context's signal: one for every call (a new one each was 1% of a hollow node's CPU). */
const neverAborted = new AbortController().signal;
const passThrough = {
  // async, so that a synchronous throw becomes a rejection (the client relies on it)
  execute: async <T>(fn: (context: { signal: AbortSignal; attempt: number }) => T) => fn({ signal: neverAborted, attempt: 0 }),
} as unknown as FaultPolicy;

/** Connects to etcd ("host:port" or "http://host:port") and checks that it answers. */
export async function openEtcdStore(endpoints: string[], opts: EtcdStoreOptions = {}): Promise<Store> {
  if (endpoints.length === 0) throw new Error('no etcd endpoints given');
  const { hosts, ...security } = etcdSecurityOptions(endpoints, opts.security);
  const connect = () =>
    new (etcd3().Etcd3)({
      hosts,
      ...security,
      faultHandling: { host: () => passThrough, global: passThrough },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + (opts.callTimeoutMs ?? 30_000) }),
      grpcOptions: {
        'grpc.max_receive_message_length': 512 * 1024 * 1024,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2000,
      },
    });
  const endpoint = `${opts.security?.tls ? 'etcds' : 'etcd'}://${hosts.map((h) => h.replace(/^https?:\/\//, '')).join(',')}`;
  const gateway = opts.httpReads && gatewayUsableFor(opts.security ?? {}) ? new EtcdGateway(hosts, opts.security ?? {}, opts.callTimeoutMs ?? 30_000) : undefined;
  const store = new EtcdStore(connect, gateway, endpoint, opts.retry ?? DEFAULT_RETRY);
  try {
    await store.ping();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

class EtcdStore implements Store {
  /** made by the first watch (rxjs is loaded on first use: rx.ts) */
  private closing: Subject<void> | undefined;
  private readonly leases = new Set<EtcdLease>();
  private closed = false;
  private grpc: Etcd3 | undefined;

  constructor(
    private readonly connect: () => Etcd3,
    private readonly gateway: EtcdGateway | undefined,
    readonly endpoint: string,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  /** The gRPC client, made (and its library loaded) on first use; never once closed. */
  private get client(): Etcd3 {
    if (this.closed) throw new StoreClosedError(this.endpoint);
    this.grpc ??= this.connect();
    return this.grpc;
  }

  async ping(): Promise<void> {
    const http = this.gateway;
    if (http) await this.call(() => http.range(Buffer.from('/'), undefined, 1));
    else await this.call(() => this.client.kv.range({ key: Buffer.from('/'), limit: 1, keys_only: true }));
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const http = this.gateway;
    if (http) return (await this.call(() => http.range(Buffer.from(key)))).items[0];
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    return res.kvs[0] && fromEtcdKv(res.kvs[0]);
  }

  async list(prefix: string): Promise<ListResult> {
    const http = this.gateway;
    if (http) {
      const { key, range_end } = prefixRange(prefix);
      return this.call(() => http.range(key, range_end));
    }
    const res = await this.call(() => this.client.kv.range(prefixRange(prefix)));
    return { items: res.kvs.map(fromEtcdKv), revision: Number(res.header.revision) };
  }

  async txn(ops: TxnOp[]): Promise<TxnResult> {
    const request = toEtcdTxn(ops);
    const res = await this.call(() => this.client.kv.txn(request));
    return fromEtcdTxn(ops, res);
  }

  watch(prefix: string, fromRevision: number): Observable<WatchMessage> {
    if (this.closed) return rx().throwError(() => new StoreClosedError(this.endpoint));
    return watchPrefix(
      {
        client: this.client,
        closed$: (this.closing ??= new (rx().Subject)<void>()),
        compactedReason: (from) => this.compactedReason(from),
        reconnectDelayMs,
      },
      prefix,
      fromRevision,
    );
  }

  async grantLease(ttlSeconds: number, opts?: LeaseOptions): Promise<Lease> {
    const lease = await EtcdLease.grant(this.client, ttlSeconds, (call) => this.call(call), opts?.keepAlive ?? true);
    this.leases.add(lease);
    lease.lost$.subscribe({ complete: () => this.leases.delete(lease) });
    return lease;
  }

  election(name: string, ttlSeconds: number): Election {
    return new StoreElection(this, name, ttlSeconds);
  }

  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }));
  }

  /** Stops keepalives (leases then expire in etcd), ends watches and disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const lease of [...this.leases]) lease.release(`store ${this.endpoint} closed`);
    this.closing?.next();
    this.closing?.complete();
    this.grpc?.close();
  }

  /** A range at `from` fails once etcd compacted past it: that is the reason a watch was canceled. */
  private async compactedReason(from: number): Promise<string | undefined> {
    try {
      await this.client.kv.range({ key: Buffer.from('/'), limit: 1, keys_only: true, revision: from });
      return undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return /compacted/.test(message) ? `etcd compacted revision ${from} away (the watch must relist)` : undefined;
    }
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.endpoint));
    return withRetry(this.endpoint, this.retryPolicy, fn);
  }
}

function prefixRange(prefix: string): IRangeRequest & { key: Buffer; range_end: Buffer } {
  const key = Buffer.from(prefix);
  return { key, range_end: prefixEnd(key) };
}

/** The first key after every key starting with `prefix` (etcd's clientv3.GetPrefixRangeEnd). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // all keys
}
