// Forwarding a query the cluster does not answer to the servers the engine would have used, over
// the transport the client asked on (a truncated UDP answer makes the client ask again over TCP).
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const UPSTREAM_TIMEOUT_MS = 2_000;

/** The first upstream's reply to `msg`, or undefined when none answers in time. */
export async function forward(msg: Buffer, servers: string[], transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
  for (const server of servers) {
    const reply = await (transport === 'tcp' ? askTcp(msg, server) : askUdp(msg, server));
    if (reply) return reply;
  }
  return undefined;
}

function askUdp(msg: Buffer, server: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
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
}

function askTcp(msg: Buffer, server: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const conn = connect({ port: 53, host: server });
    let buf = Buffer.alloc(0);
    const done = (b?: Buffer) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => done(), UPSTREAM_TIMEOUT_MS);
    conn.on('connect', () => conn.write(frame(msg)));
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    conn.on('error', () => done());
    conn.on('close', () => done());
  });
}

/** A DNS message as TCP carries it: a two-byte length first (RFC 1035 4.2.2). */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
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
