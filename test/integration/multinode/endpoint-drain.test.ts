// A task leaves its service's endpoints before its stop signal (issue 12: "a task whose
// healthcheck fails, or which is stopping, leaves the endpoints at once"), on three nodes
// (hack/lib/nodes.sh indices 230-232, agents with --netns): web tasks on vp231 serve their
// hostname and, once they get SIGTERM, keep serving for 3 s with "stopping-HOSTNAME" as the page
// (a server draining gracefully). A client on vp230 asks through the VIP, and the host through the
// mesh on vp232 (which runs no task), every 20 ms; a task scaled away, and one whose healthcheck
// fails, must never answer "stopping-...": no new connection reaches it once it has its stop signal.
import { jest } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Network, Task } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { Cluster, eventually, type NodeDef } from '../../helpers/cluster.js';

jest.setTimeout(300_000);

const NODES: NodeDef[] = [
  { name: 'vp230', index: 230, labels: {} },
  { name: 'vp231', index: 231, labels: {} },
  { name: 'vp232', index: 232, labels: {} },
];
const [N1, N2, N3] = NODES.map((n) => n.name);
const stack = `drn${process.pid % 1000}`;
const PORT = 18540;
let cluster: Cluster;
/** the cluster's ingress network on the engines (stackd_ingress_<tag>) */
let ingressNet: string;

beforeAll(async () => {
  // a generous drain: the machine running the suite may be loaded well past its 2 cores
  cluster = await Cluster.start(NODES, [], { clusterNet: true, agentArgs: ['--endpoint-drain', '3s'] });
  ingressNet = (await cluster.hostNames()).ingressNetwork;
  console.log(`endpoint-drain: daemon logs in ${cluster.logDir}`);
  await cluster.nodesReady(NODES.length);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

const docker = (node: string, ...args: string[]) => promisify(execFile)('docker', ['-H', `unix:///run/stackd-${node}.sock`, ...args]);

// httpd in the background; on SIGTERM (from tini, init: true) the page says so for 3 s more
const SERVE = [
  'mkdir -p /www && hostname > /www/index.html && httpd -f -p 80 -h /www & pid=$!',
  'trap "echo stopping-$(hostname) > /www/index.html; sleep 3; kill $pid; exit 0" TERM',
  'wait',
]
  .join('; ')
  .replaceAll('$', '$$$$'); // a literal $ in a stack file
const spec = (replicas: number) => ({
  services: {
    web: {
      image: 'stackd/busybox:latest',
      command: ['sh', '-c', SERVE],
      init: true,
      stop_grace_period: '10s',
      healthcheck: { test: ['CMD-SHELL', '[ ! -e /tmp/sick ]'], interval: '1s', timeout: '1s', retries: 1 },
      ports: [{ target: 80, published: PORT }],
      deploy: { replicas, placement: { constraints: [`node.hostname==${N2}`] } },
    },
    client: {
      image: 'stackd/busybox:latest',
      command: ['sleep', '3600'],
      init: true,
      stop_grace_period: '1s',
      deploy: { placement: { constraints: [`node.hostname==${N1}`] } },
    },
  },
});

/** A GET every 20 ms for `seconds` to url (from inside `netns` when given); every body (or "error"). */
function poll(url: string, seconds: number, netns?: string): Promise<string[]> {
  const code = `const http=require('http');const out=[];const end=Date.now()+${seconds * 1000};let open=0;
    const tick=()=>{if(Date.now()>end){if(open===0)console.log(JSON.stringify(out));else setTimeout(tick,50);return}
      open++;const r=http.get('${url}',{timeout:1000,agent:false},(res)=>{let b='';res.on('data',(d)=>b+=d).on('end',()=>{open--;out.push(b.trim())})});
      r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',()=>{open--;out.push('error')});setTimeout(tick,20)};tick();`;
  const argv = netns ? ['nsenter', `--net=${netns}`, '--', process.execPath, '-e', code] : [process.execPath, '-e', code];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (c) => (c === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`poll ${url} exited ${c}`))));
  });
}

async function pidOf(t: Task): Promise<string> {
  return (await docker(t.spec.nodeName!, 'inspect', '-f', '{{.State.Pid}}', t.status!.containerId!)).stdout.trim();
}

const hostnameOf = (t: Task) => t.status!.containerId!.slice(0, 12);

describe('a task leaves the endpoints before its stop signal', () => {
  let clientNs: string;
  let vip: string;

  async function twoWebTasks(): Promise<Task[]> {
    return eventually(
      async () => {
        const ts = await cluster.runningTasks(stack, 'web');
        return ts.length === 2 && ts.every((t) => t.status?.addresses?.[ingressNet] && t.status.health === 'healthy') && ts;
      },
      '2 healthy web tasks',
      90_000,
      300,
    );
  }

  /** Polls through the VIP (from the client) and the mesh (vp232) while `act` runs. */
  async function during(act: () => Promise<void>): Promise<{ vip: string[]; mesh: string[] }> {
    const viaVip = poll(`http://${vip}/`, 9, clientNs);
    const mesh = poll(`http://${cluster.address(N3)}:${PORT}/`, 9);
    await new Promise((r) => setTimeout(r, 1500));
    await act();
    return { vip: await viaVip, mesh: await mesh };
  }

  it('deploys: both tasks answer through the VIP and the mesh', async () => {
    await cluster.deploy(stack, JSON.stringify(spec(2)), '--detach');
    const web = await twoWebTasks();
    const [client] = await eventually(async () => {
      const ts = await cluster.runningTasks(stack, 'client');
      return ts.length === 1 && ts;
    }, 'the client task');
    clientNs = `/proc/${await pidOf(client)}/ns/net`;
    vip = (await getObject<Network>(cluster.store, 'Network', stack, 'default'))!.status!.vips!.web;
    const seen = new Set(await poll(`http://${vip}/`, 2, clientNs));
    for (const b of await poll(`http://${cluster.address(N3)}:${PORT}/`, 2)) seen.add(b);
    expect([...seen].filter((b) => b !== 'error').sort()).toEqual(web.map(hostnameOf).sort());
  });

  it('scaled away: the task gets no new connection once it has its stop signal', async () => {
    const before = await twoWebTasks();
    const got = await during(async () => {
      expect((await cluster.stackctl(['service', 'scale', `${stack}_web=1`])).code).toBe(0);
    });
    const all = [...got.vip, ...got.mesh];
    expect(all.filter((b) => b.startsWith('stopping-'))).toEqual([]);
    const left = await cluster.runningTasks(stack, 'web');
    expect(left).toHaveLength(1);
    const gone = before.find((t) => t.metadata.name !== left[0].metadata.name)!;
    // the stopped task did answer before; at the end only the one left does
    expect(all).toContain(hostnameOf(gone));
    expect(new Set(got.vip.slice(-5).filter((b) => b !== 'error'))).toEqual(new Set([hostnameOf(left[0])]));
  });

  it('unhealthy: reported out of the endpoints first, then stopped; no new connection reaches it after its stop signal', async () => {
    expect((await cluster.stackctl(['service', 'scale', `${stack}_web=2`])).code).toBe(0);
    const [victim] = await twoWebTasks();
    const got = await during(async () => {
      await docker(N2, 'exec', victim.status!.containerId!, 'touch', '/tmp/sick');
    });
    const all = [...got.vip, ...got.mesh];
    expect(all.filter((b) => b.startsWith('stopping-'))).toEqual([]);
    expect(all).toContain(hostnameOf(victim));
    const ended = (await cluster.tasks(stack)).find((t) => t.metadata.name === victim.metadata.name)!;
    expect(ended.status).toMatchObject({ state: 'failed', health: 'unhealthy', error: 'container unhealthy' });
  });
});
