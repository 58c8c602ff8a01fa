// The cluster's DNS resolver, one per node: containers' embedded DNS (127.0.0.11) forwards what
// the engine does not know to it (their `dns` is their node's gateway), over UDP or TCP as the
// client asked. Service names get their VIP or task addresses (endpoints.ts); any other name goes
// to the upstream servers the engine would have used. TTL 0, so a task that goes is not cached.
// An answer too big for UDP (512 bytes, or the client's EDNS size) goes out truncated (TC), and the
// client asks again over TCP, where it is whole.
import type { Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import * as dns from 'dns-packet';
import type { Lookup } from './endpoints.js';
import { resolveName } from './endpoints.js';
import { forward, frame } from './dns-upstream.js';

export { hostNameservers } from './dns-upstream.js';

const NXDOMAIN = 3;
const SERVFAIL = 2;
const UDP_MIN = 512;
/** an idle TCP client is let go (RFC 7766 suggests seconds) */
const TCP_IDLE_MS = 10_000;

export interface ResolverOptions {
  /** the current view (informer caches), read per query */
  view: () => Lookup;
  /** upstream servers for a client (its service's `dns:`, else the host's resolv.conf) */
  upstreams: (client: string) => string[];
  onError?: (err: Error) => void;
}

export class Resolver {
  constructor(
    private readonly udp: UdpSocket,
    private readonly opts: ResolverOptions,
    private readonly tcp?: Server,
  ) {
    udp.on('message', (msg, rinfo) => {
      this.respond(msg, rinfo.address, 'udp')
        .then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address))
        .catch((err: Error) => opts.onError?.(err));
    });
    udp.on('error', (err) => opts.onError?.(err));
    tcp?.on('connection', (conn) => this.serveTcp(conn));
    tcp?.on('error', (err) => opts.onError?.(err));
  }

  close(): void {
    this.udp.close();
    this.tcp?.close();
  }

  /** The reply to one query from `client`; undefined for what is not DNS. */
  async respond(msg: Buffer, client: string, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: dns.DecodedPacket;
    try {
      query = dns.decode(msg);
    } catch {
      return undefined; // not DNS: no answer
    }
    const q = query.questions?.[0];
    const ips = q ? resolveName(q.name, client, this.opts.view()) : undefined;
    if (!q || ips === undefined) {
      const reply = await forward(msg, this.opts.upstreams(client), transport);
      return reply ?? dns.encode({ type: 'response', id: query.id, flags: dns.RECURSION_DESIRED | SERVFAIL, questions: query.questions });
    }
    const answers = q.type === 'A' ? ips.map((ip) => ({ type: 'A' as const, name: q.name, ttl: 0, class: 'IN' as const, data: ip })) : [];
    const flags = dns.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dns.RECURSION_DESIRED) | (ips.length === 0 && q.type === 'A' ? NXDOMAIN : 0);
    const reply = dns.encode({ type: 'response', id: query.id, flags, questions: [q], answers });
    if (transport === 'tcp' || reply.length <= udpLimit(query)) return reply;
    return dns.encode({ type: 'response', id: query.id, flags: flags | dns.TRUNCATED_RESPONSE, questions: [q], answers: [] });
  }

  /** Length-prefixed queries on one connection, answered in order. */
  private serveTcp(conn: Socket): void {
    let buf = Buffer.alloc(0);
    let chain = Promise.resolve();
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        chain = chain
          .then(() => this.respond(msg, conn.remoteAddress?.replace(/^::ffff:/, '') ?? '', 'tcp'))
          .then((reply) => {
            if (reply && !conn.destroyed) conn.write(frame(reply));
          })
          .catch((err: Error) => this.opts.onError?.(err));
      }
    });
  }
}

/** The largest UDP answer the client takes: 512 bytes, or more when it says so with EDNS. */
function udpLimit(query: dns.DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(UDP_MIN, opt?.udpPayloadSize ?? 0);
}
