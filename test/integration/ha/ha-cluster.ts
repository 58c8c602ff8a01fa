// hack/cluster-up.sh for a test file (three TLS etcd members, a manager beside each, an agent on the
// local engine) and what the HA tests ask of it: who leads, a rollout mid-way and finished, and a
// sampler that records every moment a slot has two running tasks (Store) or containers (engine).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { Task } from '../../../src/api/objects.js';
import { MANAGER_ELECTION } from '../../../src/api/keys.js';
import { openStore } from '../../../src/store/open.js';
import { electionPrefix } from '../../../src/store/store-election.js';
import type { Store } from '../../../src/store/store.js';
import { ROOT, run, tempDir } from '../../helpers/cli.js';
import { eventually } from '../../helpers/cluster.js';
import { freePortBlock } from '../../helpers/stackd.js';
import { appStack, running, serviceOf, tagImages, tasksOf } from '../rollout/helpers.js';

const exec = promisify(execFile);

export class HaCluster {
  readonly docker = new Dockerode();
  readonly violations: string[] = [];
  store!: Store;
  env: Record<string, string> = {};
  private sampling = true;
  private sampler: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly nodeName: string,
    readonly stack: string,
  ) {}

  static async up(prefix: string): Promise<HaCluster> {
    const c = new HaCluster(join(tempDir(`stackd-${prefix}-`), 'cluster'), `${prefix}-${process.pid}`, `${prefix}${process.pid}`);
    await tagImages();
    await exec('bash', [join(ROOT, 'hack/cluster-up.sh'), c.dir], {
      env: { ...process.env, BASE_PORT: String(await freePortBlock(9)), AGENT: c.nodeName },
      timeout: 60_000,
    });
    c.env = Object.fromEntries([...readFileSync(join(c.dir, 'env'), 'utf8').matchAll(/(STACKD_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    const certs = join(c.dir, 'certs');
    c.store = await openStore(c.env.STACKD_STORE, { storeCacert: join(certs, 'ca.crt'), storeCert: join(certs, 'client.crt'), storeKey: join(certs, 'client.key') });
    c.sampler = (async () => {
      while (c.sampling) {
        c.violations.push(...(await c.twoPerSlot().catch(() => [])));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    return c;
  }

  async down(): Promise<void> {
    this.sampling = false;
    await this.sampler;
    // in case a test failed mid-pause
    for (const f of ['manager-0', 'manager-1', 'manager-2', 'etcd-0', 'etcd-1', 'etcd-2'])
      try {
        process.kill(this.pidOf(f), 'SIGCONT');
      } catch {
        /* killed earlier */
      }
    await this.stackctl('rm', this.stack).catch(() => undefined);
    const left = async () => (await this.docker.listContainers({ all: true, filters: { label: [`io.stackd.stack=${this.stack}`] } })).length === 0;
    await eventually(left, 'the stack removed', 30_000).catch(() => undefined);
    await this.store?.close();
    await exec('bash', [join(ROOT, 'hack/cluster-down.sh'), this.dir], { timeout: 60_000 });
    for (const c of await this.docker.listContainers({ all: true, filters: { label: [`io.stackd.node=${this.nodeName}`] } }))
      await this.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }

  /** pid of a process cluster-up started: manager-N, etcd-N or agent */
  pidOf(name: string): number {
    return Number(readFileSync(join(this.dir, `${name}.pid`), 'utf8'));
  }
  logOf(name: string): string {
    return readFileSync(join(this.dir, `${name}.log`), 'utf8');
  }
  stackctl(...args: string[]) {
    return run('stackctl', args, this.env);
  }

  /** etcdctl as root against every member (or `endpoints`). */
  async etcdctl(args: string[], endpoints = this.env.STACKD_STORE.replace(/^etcds:\/\//, '')): Promise<string> {
    const c = join(this.dir, 'certs');
    const urls = endpoints
      .split(',')
      .map((e) => `https://${e}`)
      .join(',');
    const { stdout } = await exec(
      'etcdctl',
      ['--endpoints', urls, '--cacert', join(c, 'ca.crt'), '--cert', join(c, 'root.crt'), '--key', join(c, 'root.key'), ...args],
      {
        env: { ...process.env, ETCDCTL_API: '3' },
        timeout: 30_000,
      },
    );
    return stdout;
  }

  /** Index (0-2) of the manager that leads now, by its election key (identity host-pid). */
  async leader(): Promise<number> {
    const { items } = await this.store.list(electionPrefix(MANAGER_ELECTION));
    const first = items.sort((a, b) => a.createRevision - b.createRevision)[0]?.value;
    return [0, 1, 2].find((i) => first?.endsWith(`-${this.pidOf(`manager-${i}`)}`)) ?? -1;
  }

  /** Slots with more than one running task (Store) or running container (engine), as text. */
  async twoPerSlot(): Promise<string[]> {
    const out: string[] = [];
    const count = (slots: (string | number | undefined)[], where: string) => {
      const n = new Map<string, number>();
      for (const s of slots) n.set(String(s), (n.get(String(s)) ?? 0) + 1);
      for (const [slot, k] of n) if (k > 1) out.push(`${where}: slot ${slot} has ${k} running`);
    };
    const tasks = await tasksOf(this.store, this.stack).catch(() => undefined);
    if (tasks)
      count(
        running(tasks).map((t) => t.spec.slot),
        'store',
      );
    const containers = await this.docker.listContainers({ filters: { label: [`io.stackd.stack=${this.stack}`], status: ['running'] } });
    count(
      containers.map((c) => c.Labels['io.stackd.slot']),
      'engine',
    );
    return out;
  }

  async deploy(image: string, replicas: number, ...flags: string[]): Promise<void> {
    const file = join(this.dir, '..', `${this.stack}.yaml`);
    writeFileSync(file, appStack(image, `replicas: ${replicas}\nupdate_config: {parallelism: 1, delay: 2s, monitor: 1s}`));
    const res = await this.stackctl('deploy', '-c', file, ...flags, this.stack);
    if (res.code !== 0) throw new Error(`deploy exited ${res.code}: ${res.stderr}`);
  }

  /** Waits until the rollout has updated at least one slot, so it is mid-way. */
  async midRollout(): Promise<void> {
    await eventually(
      async () => {
        const u = (await serviceOf(this.store, this.stack)).status?.update;
        return u?.state === 'updating' && (u.updated ?? 0) >= 1;
      },
      'the rollout under way',
      60_000,
      100,
    );
  }

  /** Waits for a manager other than `old` to lead and to say so in its log; returns its index. */
  async anotherLeader(old: number): Promise<number> {
    const next = await eventually(
      async () => {
        const l = await this.leader();
        return l >= 0 && l !== old ? l : false;
      },
      'another leader',
      60_000,
    );
    await eventually(() => this.logOf(`manager-${next}`).includes(`-${this.pidOf(`manager-${next}`)} is the leader`), 'its log to say it leads', 30_000);
    return next;
  }

  /** The rollout to `image` completed: one running task per slot, each with its container. */
  async rolledOut(image: string, replicas: number): Promise<Task[]> {
    const res = await this.stackctl('rollout', 'status', `${this.stack}_app`, '--timeout', '120s');
    // the verdict's line, then the service's latest events
    expect({ code: res.code, verdict: res.stdout.split('\n')[0] }).toEqual({ code: 0, verdict: `${this.stack}_app: rollout complete` });
    const tasks = await tasksOf(this.store, this.stack);
    expect(
      running(tasks)
        .map((t) => [t.spec.slot, t.spec.template.image])
        .sort(),
    ).toEqual(Array.from({ length: replicas }, (_, i) => [i + 1, image]));
    expect(tasks.filter((t) => t.spec.desiredState === 'running')).toHaveLength(replicas);
    const containers = await this.docker.listContainers({ filters: { label: [`io.stackd.stack=${this.stack}`], status: ['running'] } });
    expect(containers.map((c) => c.Labels['io.stackd.task']).sort()).toEqual(
      running(tasks)
        .map((t) => t.metadata.name)
        .sort(),
    );
    return tasks;
  }
}

/** etcd member ids (hex) by name, from `etcdctl member list` (simple format: id, status, name, ...). */
export function memberIds(list: string): Map<string, string> {
  return new Map(
    list
      .trim()
      .split('\n')
      .map((l) => l.split(', '))
      .map((f) => [f[2], f[0]]),
  );
}

/** The raft leader's endpoint, from `etcdctl endpoint status` (simple format: endpoint, id, version, size, is leader, ...). */
export function raftLeader(status: string): string | undefined {
  return status
    .trim()
    .split('\n')
    .map((l) => l.split(', '))
    .find((f) => f[4] === 'true')?.[0];
}
