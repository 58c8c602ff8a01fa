// Range reads through etcd's JSON gateway (POST /v3/kv/range on the client port), for processes
// that only read: the etcd3 client loads gRPC and parses etcd's protocol definitions on import
// (about 220 ms of CPU), more than the rest of a `stackctl ls`. Plain node:http(s), the same TLS
// files and user/password as the gRPC client; reads are linearizable, as the client's are. Not
// with a client certificate: etcd refuses gateway requests that carry one whose CommonName it
// would otherwise take as the user (those connect with gRPC: see usableFor).

// node:https loads node:crypto and TLS: only for https:// endpoints
const https = lazyRequire<typeof import('node:https')>('node:https');

/** Whether reads can go through the gateway with these settings (etcd answers 400 to a client
 *  certificate there). */
export const gatewayUsableFor = (security: EtcdSecurity): boolean => !security.tls?.cert;
import { request as httpRequest } from 'node:http';
import { lazyRequire } from '../lazy-require.js';
import type { EtcdSecurity } from './connect.js';
import type { KeyValue } from './store.js';

interface GatewayKv {
  key: string;
  value?: string;
  create_revision: string;
  mod_revision: string;
  lease?: string;
}

export interface GatewayRange {
  items: KeyValue[];
  revision: number;
}

/** An error etcd answered (not a connection failure): retrying does not help. */
export class GatewayAnswerError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GatewayAnswerError';
  }
}

export class EtcdGateway {
  private token: Promise<string> | undefined;
  /** the endpoint that answered last; a connection failure moves on to the next */
  private current = 0;

  constructor(
    private readonly hosts: string[],
    private readonly security: EtcdSecurity,
    private readonly timeoutMs: number,
  ) {}

  /** Keys from `key` up to `rangeEnd` (exclusive; undefined: just `key`). */
  async range(key: Buffer, rangeEnd?: Buffer, limit?: number): Promise<GatewayRange> {
    const body: Record<string, unknown> = { key: key.toString('base64') };
    if (rangeEnd) body.range_end = rangeEnd.toString('base64');
    if (limit) body.limit = limit;
    const res = (await this.post('/v3/kv/range', body)) as { header: { revision: string }; kvs?: GatewayKv[] };
    return { items: (res.kvs ?? []).map(fromGatewayKv), revision: Number(res.header.revision) };
  }

  private async post(path: string, body: unknown, retried = false): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.security.auth) headers.authorization = await (this.token ??= this.authenticate());
    try {
      return await this.send(path, body, headers);
    } catch (err) {
      // simple tokens expire (5 minutes by default): get a new one, once
      if (!retried && this.security.auth && err instanceof GatewayAnswerError && /invalid auth token/.test(err.message)) {
        this.token = undefined;
        return this.post(path, body, true);
      }
      throw err;
    }
  }

  private async authenticate(): Promise<string> {
    const { username, password } = this.security.auth!;
    const res = (await this.send('/v3/auth/authenticate', { name: username, password }, {})) as { token: string };
    return res.token;
  }

  private send(path: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
    const url = new URL(path, this.hosts[this.current]);
    const tls = this.security.tls;
    const request = url.protocol === 'https:' ? https().request : httpRequest;
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          ...(tls?.ca && { ca: tls.ca }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: { error?: string; message?: string } & Record<string, unknown>;
            try {
              parsed = JSON.parse(text);
            } catch {
              return reject(new GatewayAnswerError(`etcd answered ${res.statusCode} with no JSON: ${text.slice(0, 120)}`, res.statusCode ?? 0));
            }
            if (res.statusCode !== 200) return reject(new GatewayAnswerError(parsed.message ?? parsed.error ?? `HTTP ${res.statusCode}`, res.statusCode ?? 0));
            resolve(parsed);
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error(`etcd did not answer in ${this.timeoutMs / 1000}s`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        this.current = (this.current + 1) % this.hosts.length;
        reject(err);
      });
      req.end(payload);
    });
  }
}

function fromGatewayKv(kv: GatewayKv): KeyValue {
  const result: KeyValue = {
    key: Buffer.from(kv.key, 'base64').toString(),
    value: kv.value ? Buffer.from(kv.value, 'base64').toString() : '',
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
  };
  if (kv.lease && kv.lease !== '0') result.lease = kv.lease;
  return result;
}
