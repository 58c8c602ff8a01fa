// UDP through the routing mesh and through a service VIP, and an established TCP connection
// through the mesh that outlives the restart of the agents on its path, on three nodes
// (hack/lib/nodes.sh indices 220-222, agents with --netns). busybox has no UDP server or client:
// the echo servers and the VIP client are small node programs run in the tasks' own network
// namespaces (nsenter), so every datagram takes the same kernel path a task's would. And a node's
// slot on a stack network goes back to the pool once the stack has left the node.
import { jest } from '@jest/globals';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import type { Network, Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { inSubnet, nodeRange } from '../../../src/net/ipam.js';
import type { ClusterNames } from '../../../src/net/host-names.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(240_000);

const NODES: NodeDef[] = [
  { name: 'nx220', index: 220, labels: {} },
  { name: 'nx221', index: 221, labels: {} },
  { name: 'nx222', index: 222, labels: {} },
];
const [N1, N2, N3] = NODES.map((n) => n.name);
const stack = `udp${process.pid % 1000}`;
const UDP_PORT = 18530;
const TCP_PORT = 18531;
let cluster: Cluster;
let names: ClusterNames;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // a node whose agent is restarted stays Ready (its tasks are not replaced) within the grace period
  cluster = await Cluster.start(NODES, ['--node-grace', '60'], { clusterNet: true });
  names = await cluster.hostNames();
  console.log(`mesh-udp: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await cluster?.stop();
}, 120_000);

const on = (constraint: string) => ({ placement: { constraints: [constraint] } });
const idle = (deploy: object, extra: object = {}) => ({
  image: 'stackd/busybox:latest',
  command: ['sleep', '3600'],
  init: true,
  stop_grace_period: '1s',
  deploy,
  ...extra,
});

async function pidOf(t: Task): Promise<string> {
  const { stdout } = await promisify(execFile)('docker', [
    '-H',
    `unix:///run/stackd-${t.spec.nodeName}.sock`,
    'inspect',
    '-f',
    '{{.State.Pid}}',
    t.status!.containerId!,
  ]);
  return stdout.trim();
}

/** A UDP echo server on `port` in the task's network namespace, answering "LABEL:payload". */
async function udpEcho(t: Task, port: number, label: string): Promise<void> {
  const code = `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('${label}:'+m,r.port,r.address));s.bind(${port},()=>console.log('ready'))`;
  const child = spawn('nsenter', [`--net=/proc/${await pidOf(t)}/ns/net`, '--', process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`udp echo in ${t.metadata.name} exited ${c}`)));
  });
}

/** `n` datagrams, each from a new socket (a new conntrack entry, so a new pick), to host:port from
 *  `netns` (undefined: this process's); the labels that answered within 2 s each. */
async function udpAsk(host: string, port: number, n: number, netns?: string): Promise<string[]> {
  const code = `const d=require('dgram');const out=[];let left=${n};
    for(let i=0;i<${n};i++){const s=d.createSocket('udp4');const t=setTimeout(()=>{s.close();if(--left===0)console.log(JSON.stringify(out))},2000);
      s.on('message',(m)=>{out.push(String(m).split(':')[0]);clearTimeout(t);s.close();if(--left===0)console.log(JSON.stringify(out))});
      s.send('ping',${port},'${host}');}`;
  const argv = netns ? ['nsenter', `--net=${netns}`, '--', process.execPath, '-e', code] : [process.execPath, '-e', code];
  const { stdout } = await promisify(execFile)(argv[0], argv.slice(1), { timeout: 30_000 });
  return JSON.parse(stdout) as string[];
}

/** One line sent on an open connection, and its echo. */
function echo(sock: Socket, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no echo of ${line} within 5 s`)), 5_000);
    sock.once('data', (d) => {
      clearTimeout(t);
      resolve(d.toString().trim());
    });
    sock.write(`${line}\n`);
  });
}

describe('UDP and established connections through the mesh on three nodes', () => {
  let echoes: Task[];
  let client: Task;

  it('a udp published port answers on a node with no task, from every replica; the VIP carries UDP too', async () => {
    const spec = {
      services: {
        echo: idle({ replicas: 2, ...on(`node.hostname!=${N1}`) }, { ports: [{ target: 5353, published: UDP_PORT, protocol: 'udp' }] }),
        client: idle(on(`node.hostname==${N1}`)),
      },
    };
    expect((await cluster.deploy(stack, JSON.stringify(spec), '--detach')).code).toBe(0);
    echoes = await eventually(
      async () => {
        const ts = await cluster.runningTasks(stack, 'echo');
        return ts.length === 2 && ts.every((t) => t.status?.addresses?.[names.ingressNetwork]) && ts;
      },
      '2 running echo tasks on the ingress network',
      90_000,
      300,
    );
    expect(new Set(echoes.map((t) => t.spec.nodeName))).toEqual(new Set([N2, N3]));
    [client] = await eventually(async () => {
      const ts = await cluster.runningTasks(stack, 'client');
      return ts.length === 1 && ts;
    }, 'the client task');
    const labels = echoes.map((t) => t.status!.containerId!.slice(0, 12));
    await Promise.all(echoes.map((t, i) => udpEcho(t, 5353, labels[i])));

    // the mesh rule is UDP's, and every replica answers through nx220, which runs none
    const seen = new Set<string>();
    await eventually(
      async () => {
        for (const l of await udpAsk(cluster.address(N1), UDP_PORT, 10)) seen.add(l);
        return seen.size === 2;
      },
      `both echo replicas to answer udp ${UDP_PORT} through ${N1}`,
      30_000,
      300,
    );
    expect([...seen].sort()).toEqual([...labels].sort());
    // and on the nodes that run one
    expect((await udpAsk(cluster.address(N2), UDP_PORT, 3)).length).toBe(3);

    // through the VIP, from the client's own namespace on nx220 (its OUTPUT chain's DNAT)
    const net = (await getObject<Network>(cluster.store, 'Network', stack, 'default'))!;
    const vip = net.status!.vips!.echo;
    const viaVip = new Set<string>();
    const clientNs = `/proc/${await pidOf(client)}/ns/net`;
    await eventually(
      async () => {
        for (const l of await udpAsk(vip, 5353, 10, clientNs)) viaVip.add(l);
        return viaVip.size === 2;
      },
      `both echo replicas to answer udp through the VIP ${vip}`,
      30_000,
      300,
    );

    // service inspect shows the published udp port and the VIP; node inspect the ingress address
    const [svc] = JSON.parse((await cluster.stackctl(['service', 'inspect', `${stack}_echo`])).stdout) as {
      endpoint: { mode: string; ports: object[]; virtualIPs: { network: string; addr: string }[] };
    }[];
    expect(svc.endpoint.mode).toBe('vip');
    expect(svc.endpoint.ports).toEqual([{ target: 5353, published: UDP_PORT, protocol: 'udp', mode: 'ingress' }]);
    expect(svc.endpoint.virtualIPs).toContainEqual({ network: net.spec.name, addr: `${vip}/${net.status!.subnet!.split('/')[1]}` });
    const [node1] = JSON.parse((await cluster.stackctl(['node', 'inspect', N1])).stdout) as { overlay: { network: string; gateway: string }[] }[];
    expect(node1.overlay.map((o) => o.network)).toContain(names.ingressNetwork);
  });

  it('an established TCP connection through the mesh outlives the restart of the agents on its path', async () => {
    // busybox nc -ll -e cat: an echo per connection, on nx221 only
    const chat = { image: 'stackd/busybox:latest', command: ['nc', '-ll', '-p', '7', '-e', 'cat'], init: true, stop_grace_period: '1s' };
    const spec = { services: { chat: { ...chat, deploy: on(`node.hostname==${N2}`), ports: [{ target: 7, published: TCP_PORT }] } } };
    expect((await cluster.deploy(`${stack}t`, JSON.stringify(spec), '--detach')).code).toBe(0);
    const sock = await eventually(
      () =>
        new Promise<Socket | false>((resolve) => {
          const s = connect(TCP_PORT, cluster.address(N1));
          s.once('connect', () =>
            echo(s, 'hello').then(
              (e) => resolve(e === 'hello' && s),
              () => resolve(false),
            ),
          );
          s.once('error', () => resolve(false));
        }),
      `a connection through ${N1}:${TCP_PORT} that echoes`,
      60_000,
      300,
    );
    let closed = false;
    sock.on('close', () => (closed = true));
    try {
      // the entry node's agent (its nat rules) and the task node's (its overlay, its VIP rules)
      for (const node of [N1, N2]) {
        await cluster.agents.get(node)!.kill('SIGKILL');
        expect(await echo(sock, `while ${node}'s agent is dead`)).toBe(`while ${node}'s agent is dead`);
        cluster.startAgent(node);
      }
      // the restarted agents have rewritten the node's chains: a port published after the restart is in them
      const marker = { services: { m: { ...idle(on(`node.hostname==${N3}`)), ports: [{ target: 80, published: TCP_PORT + 1 }] } } };
      expect((await cluster.deploy(`${stack}m`, JSON.stringify(marker), '--detach')).code).toBe(0);
      for (const node of [N1, N2]) {
        await eventually(
          async () =>
            (await promisify(execFile)('nsenter', [`--net=/var/run/netns/${node}`, '--', 'iptables', '-t', 'nat', '-S', names.chains.ingress])).stdout.includes(
              `${TCP_PORT + 1}/tcp`,
            ),
          `${node}'s restarted agent to rewrite its mesh rules`,
          60_000,
          300,
        );
      }
      expect(await echo(sock, 'after both restarts')).toBe('after both restarts');
      expect(closed).toBe(false);
    } finally {
      sock.destroy();
    }
    for (const s of [stack, `${stack}t`, `${stack}m`]) expect((await cluster.stackctl(['rm', s])).code).toBe(0);
  });

  it("a node's slot on a stack network goes back to the pool once the stack has left it, and is taken anew", async () => {
    const name = `${stack}s`;
    const WEB = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
    const b = { image: 'stackd/busybox:latest', command: ['sh', '-c', WEB], init: true, stop_grace_period: '1s', deploy: on(`node.hostname==${N3}`) };
    const both = { services: { a: idle(on(`node.hostname==${N2}`)), b } };
    const slots = async () => (await getObject<Network>(cluster.store, 'Network', name, 'default'))?.status?.nodes ?? {};
    const engineHas = async (node: string) =>
      (await promisify(execFile)('docker', ['-H', `unix:///run/stackd-${node}.sock`, 'network', 'ls', '--format', '{{.Name}}'])).stdout
        .split('\n')
        .includes(`${name}_default`);
    expect((await cluster.deploy(name, JSON.stringify(both), '--detach')).code).toBe(0);
    await eventually(async () => (await cluster.runningTasks(name)).length === 2, `both tasks of ${name} running`, 90_000, 300);
    expect(Object.keys(await slots()).sort()).toEqual([N2, N3]);

    // a goes (deploy --prune): its task is deleted, nothing of the stack is left on nx221
    expect((await cluster.deploy(name, JSON.stringify({ services: { b } }), '--detach', '--prune')).code).toBe(0);
    await eventually(async () => !(N2 in (await slots())), `${N2}'s slot on ${name}_default to go back`, 60_000, 300);
    expect(Object.keys(await slots())).toEqual([N3]);
    await eventually(async () => !(await engineHas(N2)), `${name}_default to go from ${N2}'s engine`, 60_000, 300);

    // a comes back: nx221 gets a slot again, a network in its range, and reaches b over the overlay
    expect((await cluster.deploy(name, JSON.stringify(both), '--detach')).code).toBe(0);
    const [a] = await eventually(async () => {
      const ts = await cluster.runningTasks(name, 'a');
      return ts.length === 1 && ts[0].status?.addresses?.[`${name}_default`] !== undefined && ts;
    }, `a running again on ${N2}`);
    const slot = (await slots())[N2];
    expect(slot).toBeDefined();
    const net = (await getObject<Network>(cluster.store, 'Network', name, 'default'))!;
    expect(inSubnet(nodeRange(net.status!.subnet!, slot, net.status!.chunkPrefix).ipRange, a.status!.addresses![`${name}_default`])).toBe(true);
    await eventually(
      async () => {
        const { stdout } = await promisify(execFile)('docker', [
          '-H',
          `unix:///run/stackd-${N2}.sock`,
          'exec',
          a.status!.containerId!,
          'sh',
          '-c',
          'timeout 3 wget -qO- http://b/ || true',
        ]);
        return stdout.trim().length > 0;
      },
      'a to reach b by name across nodes',
      30_000,
      300,
    );
    expect((await cluster.stackctl(['rm', name])).code).toBe(0);
  });
});
