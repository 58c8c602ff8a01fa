// Cluster networks made with `stackctl network create` (hack/lib/nodes.sh indices 150-152, agents
// with --netns): stacks share one as `external: true`, deploy refuses a missing one, rm refuses one
// in use, an attachable one takes standalone containers on any node; a VIP with no ready task
// refuses connections at once; an established connection through a VIP survives kill -9 and
// restart of the agents at both ends. Driven through stackctl, checked inside the containers.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Network, Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { nodeRange } from '../../../src/net/ipam.js';
import { ROOT } from '../../helpers/cli.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(300_000);

const NODES: NodeDef[] = [
  { name: 'nx1', index: 150, labels: {} },
  { name: 'nx2', index: 151, labels: {} },
  { name: 'nx3', index: 152, labels: {} },
];

let cluster: Cluster;

beforeAll(async () => {
  // a long node grace: the agents killed below come back to their containers however slow the machine
  cluster = await Cluster.start(NODES, ['--node-grace', '120'], { clusterNet: true });
  console.log(`shared-network: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

const unique = (prefix: string) => `${prefix}${process.pid % 1000}${Date.now().toString(36).slice(-4)}`;
const on = (node: string) => ({ placement: { constraints: [`node.hostname==${node}`] } });
const WEB = 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www';
const base = { image: 'stackd/busybox:latest', init: true, stop_grace_period: '1s' };

const docker = async (node: string, args: string[]): Promise<{ code: number; out: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('docker', ['-H', `unix:///run/stackd-${node}.sock`, ...args], { timeout: 30_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
};
const sh = (t: Task, script: string) => docker(t.spec.nodeName!, ['exec', t.status!.containerId!, 'sh', '-c', script]);

async function running(stack: string, service: string, n: number): Promise<Task[]> {
  return eventually(
    async () => {
      const ts = await cluster.runningTasks(stack, service);
      return ts.length === n && ts.every((t) => t.status?.addresses) && ts;
    },
    `${n} running ${stack}_${service} task(s) with addresses`,
    90_000,
    300,
  );
}

/** The A records the resolver at `server` gives `name` over TCP, asked from the netns of process `pid`. */
async function overTcp(pid: string, server: string, name: string): Promise<string[]> {
  const script = `
    import net from 'node:net'; import * as dns from 'dns-packet';
    const q = dns.encode({ type: 'query', id: 7, flags: dns.RECURSION_DESIRED, questions: [{ type: 'A', name: ${JSON.stringify(name)} }] });
    const len = Buffer.alloc(2); len.writeUInt16BE(q.length);
    const c = net.connect(53, ${JSON.stringify(server)}, () => c.write(Buffer.concat([len, q])));
    let buf = Buffer.alloc(0);
    c.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 + buf.readUInt16BE(0)) { console.log(JSON.stringify(dns.decode(buf.subarray(2)).answers.map((a) => a.data))); c.end(); } });`;
  const { stdout } = await promisify(execFile)('nsenter', ['-t', pid, '-n', process.execPath, '--input-type=module', '-e', script], { cwd: ROOT, timeout: 15_000 });
  return JSON.parse(stdout) as string[];
}

/** The client container's nat rules (iptables-save in its netns). */
async function nsenterRules(t: Task): Promise<string> {
  const pid = (await docker(t.spec.nodeName!, ['inspect', '-f', '{{.State.Pid}}', t.status!.containerId!])).out.trim();
  const { stdout } = await promisify(execFile)('nsenter', ['-t', pid, '-n', 'iptables-save', '-t', 'nat'], { timeout: 15_000 });
  return stdout;
}

describe('cluster networks shared by stacks', () => {
  it('network create: stacks share it, deploy and rm say what is missing or in use, standalone containers attach', async () => {
    const net = unique('sh');
    const [a, b] = [unique('sa'), unique('sb')];
    const stackA = {
      services: { api: { ...base, command: ['sh', '-c', WEB], deploy: on('nx2'), networks: ['mesh'] } },
      networks: { mesh: { external: true, name: net } },
    };
    const stackB = { services: { client: { ...base, command: ['sleep', '3600'], deploy: on('nx1'), networks: [net] } }, networks: { [net]: { external: true } } };

    // missing: refused before anything is written, at the place the file declares it
    const fileA = join(cluster.logDir, `${a}.yaml`);
    const textA = JSON.stringify(stackA, null, 1);
    writeFileSync(fileA, textA);
    const lines = textA.split('\n');
    const at = lines.findIndex((l) => l.includes('"external"'));
    const refused = await cluster.stackctl(['deploy', '-c', fileA, '--detach', a]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `${fileA}:${at + 1}:${lines[at].indexOf('true') + 1} networks.mesh.external: network ${net} does not exist in the cluster: create it first (stackctl network create ${net})`,
    );
    expect(await getObject(cluster.store, 'Stack', '', a)).toBeUndefined();

    // outside the default pool (10.128.0.0/10), where the ingress network's /15 lands anywhere: a
    // subnet inside it was refused once in 64 runs as overlapping the ingress
    const created = await cluster.stackctl(['network', 'create', '--attachable', '--subnet', '10.200.0.0/16', '--label', 'team=x', net]);
    expect(created).toMatchObject({ code: 0, stdout: `${net}\n` });
    expect((await cluster.stackctl(['network', 'create', net])).code).toBe(2);

    await cluster.stackctl(['deploy', '-c', fileA, '--detach', a]);
    await cluster.deploy(b, JSON.stringify(stackB), '--detach');
    const [api] = await running(a, 'api', 1);
    const [client] = await running(b, 'client', 1);
    const alloc = (await getObject<Network>(cluster.store, 'Network', '', net))!.status!;
    expect(alloc.subnet).toBe('10.200.0.0/16');
    expect(Object.keys(alloc.vips!).sort()).toEqual([`${a}_api`, `${b}_client`]);
    expect(api.status!.addresses![net]).toMatch(/^10\.200\./);
    const apiName = (await sh(api, 'hostname')).out.trim();

    // stack b's client reaches stack a's api across nodes by STACK_SERVICE (its VIP)
    await eventually(async () => (await sh(client, `nslookup ${a}_api`)).out.includes(alloc.vips![`${a}_api`]), `${a}_api to resolve to its VIP`, 30_000, 300);
    await eventually(async () => (await sh(client, `timeout 3 wget -qO- http://${a}_api/`)).out.includes(apiName), 'the api through its VIP', 30_000, 300);

    // DNS over TCP (what a client does after a truncated UDP answer), from inside the client's netns
    const pid = (await docker('nx1', ['inspect', '-f', '{{.State.Pid}}', client.status!.containerId!])).out.trim();
    const tcpAnswer = await overTcp(pid, nodeRange(alloc.subnet!, alloc.nodes!.nx1, alloc.chunkPrefix).gateway, `${a}_api`);
    expect(tcpAnswer).toEqual([alloc.vips![`${a}_api`]]);

    const inUse = await cluster.stackctl(['network', 'rm', net]);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr.trim()).toBe(
      `stackctl: network ${net} is in use by stacks ${[a, b].sort().join(', ')}: remove them first (stackctl rm ${[a, b].sort().join(' ')})`,
    );
    const rows = await cluster.stackctlJson<{ name: string; stack: string; subnet: string; attachable: boolean; labels: object }[]>(['network', 'ls']);
    expect(rows.find((r) => r.name === net)).toMatchObject({ stack: '', subnet: '10.200.0.0/16', attachable: true, labels: { team: 'x' } });

    // attachable: on nx3, which runs no task, the engine has it with nx3's share of the subnet
    const range = nodeRange(alloc.subnet!, alloc.nodes!.nx3, alloc.chunkPrefix);
    const ipam = await eventually(
      async () => {
        const r = await docker('nx3', ['network', 'inspect', net, '--format', '{{json .IPAM.Config}}']);
        return r.code === 0 && r.out;
      },
      `network ${net} on nx3`,
      30_000,
      300,
    );
    expect(JSON.parse(ipam)).toEqual([{ Subnet: '10.200.0.0/16', IPRange: range.ipRange, Gateway: range.gateway }]);
    const standalone = await docker('nx3', [
      'run',
      '--rm',
      '--network',
      net,
      'stackd/busybox:latest',
      'sh',
      '-c',
      `ip -4 -o addr show eth0; wget -qO- http://${api.status!.addresses![net]}/`,
    ]);
    expect(standalone.out).toContain(apiName);

    // a VIP with no ready task refuses at once (no silent drop until a timeout)
    expect((await cluster.stackctl(['service', 'scale', `${a}_api=0`])).code).toBe(0);
    const refusedConn = await eventually(
      async () => {
        const r = await sh(client, `timeout 5 wget -qO- http://${a}_api/ 2>&1`);
        return /refused/i.test(r.out) && r.out;
      },
      'a connection to the VIP without tasks to be refused',
      30_000,
      300,
    );
    expect(refusedConn).toContain(alloc.vips![`${a}_api`]);

    for (const s of [a, b]) expect((await cluster.stackctl(['rm', s])).code).toBe(0);
    expect(await cluster.stackctl(['network', 'rm', net])).toMatchObject({ code: 0, stdout: `${net}\n` });
    await eventually(async () => (await docker('nx3', ['network', 'inspect', net])).code !== 0, `network ${net} to go from nx3`, 30_000, 300);
  });

  it('an established connection through a VIP across nodes survives kill -9 and restart of both agents', async () => {
    const stack = unique('keep');
    // the server takes one connection and keeps what it receives (its stdin held open: at EOF
    // busybox nc would close); the client sends a number a line
    const server = { ...base, command: ['sh', '-c', 'sleep 3600 | nc -l -p 9000 > /tmp/got'], deploy: on('nx2') };
    const spare = { ...base, command: ['sleep', '3600'], deploy: { replicas: 1, ...on('nx2') } };
    await cluster.deploy(
      stack,
      JSON.stringify({ services: { srv: server, spare, client: { ...base, command: ['sleep', '3600'], deploy: on('nx1') } } }),
      '--detach',
    );
    const [srv] = await running(stack, 'srv', 1);
    const [client] = await running(stack, 'client', 1);
    await running(stack, 'spare', 1);
    const srvIp = srv.status!.addresses![`${stack}_default`];
    await eventually(async () => (await nsenterRules(client)).includes(`--to-destination ${srvIp}`), "the client's rules to reach srv", 30_000, 300);
    await docker('nx1', ['exec', '-d', client.status!.containerId!, 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done | nc srv 9000']);
    const received = async () => (await sh(srv, 'cat /tmp/got')).out.split('\n').filter(Boolean).map(Number);
    await eventually(async () => (await received()).length >= 5, 'the connection to carry lines', 30_000, 300);

    for (const node of ['nx1', 'nx2']) await cluster.agents.get(node)!.kill('SIGKILL');
    const before = (await received()).length;
    for (const node of ['nx1', 'nx2']) cluster.startAgent(node);
    // the restarted agents rewrite every container's rules: a change of the spare's tasks makes
    // sure the client's chain has been replaced since the restart
    expect((await cluster.stackctl(['service', 'scale', `${stack}_spare=2`])).code).toBe(0);
    await running(stack, 'spare', 2);
    await eventually(
      async () => {
        const rules = (await nsenterRules(client)).match(/vip \S+_spare"/g);
        return rules && rules.length >= 2;
      },
      "the client's rules rewritten by the restarted agent",
      60_000,
      300,
    );
    const after = await eventually(
      async () => {
        const got = await received();
        return got.length >= before + 10 && got;
      },
      'lines to keep arriving on the same connection',
      30_000,
      300,
    );
    expect(after).toEqual(after.map((_, i) => i + 1)); // one connection, nothing lost or repeated
    expect((await sh(client, 'ps')).out).toMatch(/nc srv 9000/);
    expect((await cluster.stackctl(['rm', stack])).code).toBe(0);
  });
});
