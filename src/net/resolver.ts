// The cluster's DNS resolver, one per node: containers' embedded DNS (127.0.0.11) forwards what
// the engine does not know to it (their `dns` is their node's gateway). Service names get their
// VIP or task addresses (endpoints.ts); any other name goes to the upstream servers the engine
// would have used. UDP only, as the engine forwards; TTL 0, so a task that goes is not cached.
import type { Socket, RemoteInfo } from 'node:dgram';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import * as dns from 'dns-packet';
import type { Lookup } from './endpoints.js';
import { resolveName } from './endpoints.js';

const NXDOMAIN = 3;
const SERVFAIL = 2;
const UPSTREAM_TIMEOUT_MS = 2_000;

export interface ResolverOptions {
  /** the current view (informer caches), read per query */
  view: () => Lookup;
  /** upstream servers for a client (its service's `dns:`, else the host's resolv.conf) */
  upstreams: (client: string) => string[];
  onError?: (err: Error) => void;
}

export class Resolver {
  constructor(
    private readonly socket: Socket,
    private readonly opts: ResolverOptions,
  ) {
    socket.on('message', (msg, rinfo) => void this.answer(msg, rinfo).catch((err: Error) => opts.onError?.(err)));
    socket.on('error', (err) => opts.onError?.(err));
  }

  close(): void {
    this.socket.close();
  }

  private async answer(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    let query: dns.DecodedPacket;
    try {
      query = dns.decode(msg);
    } catch {
      return; // not DNS: no answer
    }
    const q = query.questions?.[0];
    const ips = q ? resolveName(q.name, rinfo.address, this.opts.view()) : undefined;
    if (q && ips !== undefined) {
      const answers = q.type === 'A' ? ips.map((ip) => ({ type: 'A' as const, name: q.name, ttl: 0, class: 'IN' as const, data: ip })) : [];
      const flags = dns.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dns.RECURSION_DESIRED) | (ips.length === 0 && q.type === 'A' ? NXDOMAIN : 0);
      return this.send(dns.encode({ type: 'response', id: query.id, flags, questions: [q], answers }), rinfo);
    }
    const reply = await forward(msg, this.opts.upstreams(rinfo.address));
    this.send(reply ?? dns.encode({ type: 'response', id: query.id, flags: dns.RECURSION_DESIRED | SERVFAIL, questions: query.questions }), rinfo);
  }

  private send(buf: Buffer, rinfo: RemoteInfo): void {
    this.socket.send(buf, rinfo.port, rinfo.address);
  }
}

/** The first upstream's reply to `msg`, or undefined when none answers in time. */
async function forward(msg: Buffer, servers: string[]): Promise<Buffer | undefined> {
  for (const server of servers) {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const s = createSocket('udp4');
      const done = (b?: Buffer) => {
        clearTimeout(timer);
        s.close();
        resolve(b);
      };
      const timer = setTimeout(() => done(), UPSTREAM_TIMEOUT_MS);
      s.on('message', (b) => done(b));
      s.on('error', () => done());
      s.send(msg, 53, server);
    });
    if (reply) return reply;
  }
  return undefined;
}

/** The host's nameservers, as the engine reads them (loopback ones dropped: unreachable from a container). */
export function hostNameservers(path = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+([\d.]+)\s*$/.exec(l)?.[1])
      .filter((ip): ip is string => ip !== undefined && !ip.startsWith('127.'));
  } catch {
    return [];
  }
}
