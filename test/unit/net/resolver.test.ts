// The resolver on real loopback sockets (UDP and TCP): an answer too big for UDP comes truncated
// (TC, no records), the same question over TCP gets every record, several questions on one TCP
// connection are answered in order. The cluster view is built in memory.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type AddressInfo } from 'node:net';
import * as dns from 'dns-packet';
import type { Network, Service, Task } from '../../../src/api/objects.js';
import { frame } from '../../../src/net/dns-upstream.js';
import { bindUdp, listenTcp } from '../../../src/net/netns-socket.js';
import { Resolver } from '../../../src/net/resolver.js';

const meta = (name: string, namespace: string) => ({
  name,
  namespace,
  uid: name,
  generation: 1,
  resourceVersion: '1',
  labels: {},
  annotations: {},
  creationTimestamp: '',
  ownerReferences: [],
});
const net: Network = {
  apiVersion: 'stackd.io/v1',
  kind: 'Network',
  metadata: meta('default', 's'),
  spec: { name: 's_default', stack: 's', driver_opts: {}, external: false, labels: {} },
  status: { subnet: '127.0.0.0/8', vni: 4097, nodes: {}, vips: { api: '127.0.0.2' } },
};
const api: Service = {
  apiVersion: 'stackd.io/v1',
  kind: 'Service',
  metadata: meta('api', 's'),
  spec: { stack: 's', template: { networks: {}, deploy: { endpoint_mode: 'vip' } } as never },
};
// 60 tasks: 60 A records of a 16-byte name do not fit in 512 bytes
const tasks: Task[] = Array.from({ length: 60 }, (_, i) => ({
  apiVersion: 'stackd.io/v1',
  kind: 'Task',
  metadata: meta(`api${i}`, 's'),
  spec: { stack: 's', service: 'api', desiredState: 'running', specHash: 'h', template: {} as never },
  status: { state: 'running', timestamp: '', message: '', addresses: { s_default: `127.0.1.${i + 1}` } },
}));

let resolver: Resolver;
let udpPort: number;
let tcpPort: number;

beforeAll(async () => {
  const [udp, tcp] = await Promise.all([bindUdp(undefined, 0, '127.0.0.1'), listenTcp(undefined, 0, '127.0.0.1')]);
  udpPort = udp.address().port;
  tcpPort = (tcp.address() as AddressInfo).port;
  resolver = new Resolver(udp, { view: () => ({ networks: [net], services: [api], tasks }), upstreams: () => [] }, tcp);
});
afterAll(() => resolver.close());

const query = (name: string, id: number, edns?: number) =>
  dns.encode({
    type: 'query',
    id,
    flags: dns.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
    ...(edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: edns } as never] } : {}),
  });

function askUdp(msg: Buffer): Promise<dns.DecodedPacket> {
  const s: UdpSocket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    s.on('message', (b) => {
      s.close();
      resolve(dns.decode(b));
    });
    s.on('error', reject);
    s.send(msg, udpPort, '127.0.0.1');
  });
}

function askTcp(msgs: Buffer[]): Promise<dns.DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const c = connect(tcpPort, '127.0.0.1', () => c.write(Buffer.concat(msgs.map(frame))));
    const out: dns.DecodedPacket[] = [];
    let buf = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dns.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === msgs.length) {
        c.end();
        resolve(out);
      }
    });
    c.on('error', reject);
  });
}

describe('resolver over UDP and TCP', () => {
  it('answers a small question over UDP whole', async () => {
    const r = await askUdp(query('api', 1));
    expect(r.flags! & dns.TRUNCATED_RESPONSE).toBe(0);
    expect(r.answers!.map((a) => (a as { data: unknown }).data)).toEqual(['127.0.0.2']);
  });

  it('truncates an answer too big for UDP, and gives it whole over TCP', async () => {
    const udp = await askUdp(query('tasks.api', 2));
    expect(udp.flags! & dns.TRUNCATED_RESPONSE).toBe(dns.TRUNCATED_RESPONSE);
    expect(udp.answers).toEqual([]);
    const [tcp] = await askTcp([query('tasks.api', 3)]);
    expect(tcp.flags! & dns.TRUNCATED_RESPONSE).toBe(0);
    expect(tcp.answers).toHaveLength(60);
  });

  it('sends the whole answer over UDP when the client takes more (EDNS)', async () => {
    const r = await askUdp(query('tasks.api', 4, 4096));
    expect(r.answers).toHaveLength(60);
  });

  it('answers several questions on one TCP connection, in order', async () => {
    const replies = await askTcp([query('api', 5), query('tasks.api', 6), query('s_api', 7)]);
    expect(replies.map((r) => [r.id, r.answers!.length])).toEqual([
      [5, 1],
      [6, 60],
      [7, 1],
    ]);
  });
});
