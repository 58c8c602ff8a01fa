// Two clusters sharing one Docker engine leave each other alone: two `stackd` (embedded stores in
// different state directories) under the SAME node name on the same engine, each with a stack
// (containers, a network, a volume). After both have run garbage collection (a removed stack's
// network is only ever removed by it), neither touched the other's objects. A second agent
// claiming a live agent's node name in the same store is refused, naming the first.
// Real processes on the host's engine.
import { jest } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { CLUSTER_ID_KEY } from '../../../src/api/keys.js';
import { openStore } from '../../../src/store/open.js';
import { run, tempDir } from '../../helpers/cli.js';
import { eventually, idleCommand, StackdProcess } from '../../helpers/stackd.js';

jest.setTimeout(180_000);

const docker = new Dockerode();
const NODE = `idshared${process.pid.toString(36)}`;

interface Side {
  name: string;
  dir: string;
  storeUrl: string;
  stackd?: StackdProcess;
  cluster?: string;
}
const sides: Side[] = ['a', 'b'].map((name) => {
  const dir = tempDir(`stackd-shared-${name}-`);
  return { name, dir, storeUrl: `sqlite://${join(dir, 'state.db')}` };
});
const stackOf = (s: Side, what: string) => `id${what}${s.name}${process.pid % 10000}`;

const stackFile = JSON.stringify({
  services: {
    app: {
      image: 'stackd/busybox:latest',
      command: JSON.parse(idleCommand()),
      init: true,
      stop_grace_period: '2s',
      volumes: ['data:/data'],
      deploy: { replicas: 2 },
    },
  },
  volumes: { data: {} },
});

async function deploy(side: Side, stack: string): Promise<void> {
  const file = join(side.dir, `${stack}.json`);
  writeFileSync(file, stackFile);
  const res = await run('stackctl', ['--store', side.storeUrl, 'deploy', '-c', file, '--timeout', '90s', stack]);
  if (res.code !== 0) throw new Error(`deploy ${stack} exited ${res.code}: ${res.stderr}`);
}

/** What the engine holds of a stack: container id → StartedAt, network and volume names with their cluster label. */
async function engineState(stack: string) {
  const filters = { label: [`io.stackd.stack=${stack}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const started = await Promise.all(containers.map(async (c) => [c.Id, (await docker.getContainer(c.Id).inspect()).State.StartedAt] as const));
  return {
    containers: Object.fromEntries(started),
    clusters: [
      ...new Set(
        [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels ?? {}), ...(volumes.Volumes ?? []).map((v) => v.Labels ?? {})].map(
          (l) => l['io.stackd.cluster'],
        ),
      ),
    ],
    networks: networks.map((n) => n.Name).sort(),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
  };
}

async function readClusterId(side: Side): Promise<string> {
  const store = await openStore(side.storeUrl);
  try {
    return (await store.get(CLUSTER_ID_KEY))!.value;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  for (const side of sides) {
    side.stackd = await StackdProcess.start(side.storeUrl, NODE, join(side.dir, 'stackd.log'));
    side.cluster = await readClusterId(side);
  }
}, 120_000);

afterAll(async () => {
  for (const side of sides) {
    await run('stackctl', ['--store', side.storeUrl, 'rm', stackOf(side, 'main'), stackOf(side, 'tmp')]);
  }
  await eventually(async () => (await docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${NODE}`] } })).length === 0, 30_000).catch(
    () => undefined,
  );
  for (const side of sides) await side.stackd?.stop().catch(() => side.stackd?.kill());
  const filters = { label: [`io.stackd.node=${NODE}`] };
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
}, 120_000);

/** Adds both daemons' log tails to a failure. */
function logged(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      if (err instanceof Error) err.message += `\n\n${sides.map((s) => s.stackd?.logTail(40) ?? '').join('\n')}`;
      throw err;
    }
  };
}

it(
  "each cluster collects only its own: same node name, same engine, containers, networks and volumes survive the other's GC",
  logged(async () => {
    const [a, b] = sides;
    expect(a.cluster).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.cluster).not.toBe(a.cluster);
    for (const side of sides) await deploy(side, stackOf(side, 'main'));
    const before = await Promise.all(sides.map((s) => engineState(stackOf(s, 'main'))));
    for (const [i, side] of sides.entries()) {
      expect(Object.keys(before[i].containers)).toHaveLength(2);
      expect(before[i].networks).toEqual([`${stackOf(side, 'main')}_default`]);
      expect(before[i].volumes).toEqual([`${stackOf(side, 'main')}_data`]);
      // every container, network and volume carries its own cluster's id
      expect(before[i].clusters).toEqual([side.cluster]);
    }

    // each removes a stack of its own: its containers and network go only through its agent's
    // garbage collector, which therefore ran with the other cluster's objects on the engine
    for (const side of sides) await deploy(side, stackOf(side, 'tmp'));
    for (const side of sides) expect((await run('stackctl', ['--store', side.storeUrl, 'rm', stackOf(side, 'tmp')])).code).toBe(0);
    for (const side of sides) {
      await eventually(async () => {
        const tmp = await engineState(stackOf(side, 'tmp'));
        return Object.keys(tmp.containers).length === 0 && tmp.networks.length === 0;
      }, 60_000);
    }
    // killed (-9) and back at once, its heartbeat lease still live: the agent takes its node name
    // over from its dead predecessor, adopts what runs and runs the collector again
    await b.stackd!.kill();
    b.stackd = await StackdProcess.start(b.storeUrl, NODE, join(b.dir, 'stackd.log'));

    const after = await Promise.all(sides.map((s) => engineState(stackOf(s, 'main'))));
    // the same containers, never restarted, the same networks and volumes
    expect(after).toEqual(before);
    for (const side of sides) expect(side.stackd!.logTail(400)).not.toMatch(new RegExp(`removing container ${stackOf(side === a ? b : a, 'main')}`));
  }),
);

it(
  "a second agent claiming a live agent's node name in the same store is refused, naming the first; the first carries on",
  logged(async () => {
    const [a] = sides;
    const res = await run('stackd', ['agent', '--store', a.storeUrl, '--node-name', NODE]);
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^stackd: node ${NODE} is already claimed by a live agent \\(host ${hostname()}, pid ${a.stackd!.child.pid}, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\); stop it, or give this one another --node-name$`,
      ),
    );
    expect(a.stackd!.alive).toBe(true);
    const nodes = JSON.parse((await run('stackctl', ['--store', a.storeUrl, 'node', 'ls', '--format', 'json'])).stdout) as {
      name?: string;
      status?: string;
      state?: string;
    }[];
    expect(JSON.stringify(nodes)).toContain(NODE);
    expect(JSON.stringify(nodes)).not.toMatch(/"down"/i);
  }),
);
