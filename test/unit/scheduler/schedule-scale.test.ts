// The scheduler's runs and heaps (schedule.ts, rank.ts: Candidates) against the reference that
// filters and ranks every node for every task (naive-schedule.ts): the same decisions and reasons,
// task for task, on random clusters; and 10,000 tasks on 1,000 nodes placed once each, spread and
// constrained. No timing here (bench:scale measures speed).
import fc from 'fast-check';
import type { Node, Task } from '../../../src/api/objects.js';
import { NodeUsageIndex } from '../../../src/scheduler/node-usage.js';
import { schedule } from '../../../src/scheduler/schedule.js';
import type { PortSpec } from '../../../src/stackfile/types.js';
import { node, service, task } from '../orchestrator/fixtures.js';
import { naiveSchedule } from './naive-schedule.js';

const GiB = 1024 ** 3;
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

const nodeArb = fc.record({
  state: pick('ready', 'ready', 'ready', 'down'),
  availability: pick('active', 'active', 'active', 'pause', 'drain'),
  role: pick('worker', 'worker', 'manager'),
  zone: pick('a', 'b', 'c', undefined),
  rack: pick('1', '2', undefined),
  tier: pick('a', 'b'),
  cpus: fc.integer({ min: 1, max: 4 }),
  memory: fc.integer({ min: 1, max: 4 }),
  mesh: fc.boolean(),
});

const port = (published: number, mode: PortSpec['mode']): PortSpec => ({ target: 80, published, protocol: 'tcp', mode });
const placementArb = fc.record({
  constraints: fc.subarray(['node.labels.tier==a', 'node.labels.zone!=c', 'node.role==manager', 'zone=bad']),
  preferences: pick([], ['zone'], ['zone', 'rack'], ['rack']),
  cpus: pick(0, 0, 0.5, 1),
  memory: pick(0, 0, 1),
  maxPerNode: pick(undefined, undefined, 1, 2),
  ports: pick([], [], [port(80, 'host')], [port(80, 'ingress')], [port(8080, 'host'), port(80, 'ingress')]),
});

const serviceArb = fc.record({
  /** the template the service runs, and a second one (a rolling update half done) */
  placements: fc.array(placementArb, { minLength: 1, maxLength: 2 }),
  global: fc.boolean(),
  running: fc.array(
    fc.record({ node: fc.nat(), template: fc.nat(), state: pick('running', 'running', 'failed', 'pending'), desired: pick('running', 'shutdown') }),
    { maxLength: 12 },
  ),
  pending: fc.array(fc.record({ template: fc.nat(), node: fc.nat() }), { maxLength: 15 }),
});

function cluster(nodeSpecs: fc.RecordValue<typeof nodeArb>[], services: fc.RecordValue<typeof serviceArb>[]) {
  const nodes: Node[] = nodeSpecs.map((n, i) => {
    const labels: Record<string, string> = { tier: n.tier, ...(n.zone ? { zone: n.zone } : {}), ...(n.rack ? { rack: n.rack } : {}) };
    const made = node(`n${i}`, { state: n.state, availability: n.availability, role: n.role, labels, cpus: n.cpus, memory: n.memory * GiB });
    return { ...made, status: { ...made.status!, mesh: n.mesh } };
  });
  const name = (i: number) => `n${i % Math.max(1, nodes.length)}`;
  const tasks: Task[] = [];
  const pending: Task[] = [];
  services.forEach((s, si) => {
    const variants = s.placements.map((p) =>
      service(`s${si}`, {
        ports: p.ports,
        deploy: {
          mode: s.global ? 'global' : 'replicated',
          resources: { limits: {}, reservations: { ...(p.cpus ? { cpus: p.cpus } : {}), ...(p.memory ? { memory: p.memory * GiB } : {}) } },
          placement: { constraints: p.constraints, preferences: p.preferences.map((l) => ({ spread: `node.labels.${l}` })), max_replicas_per_node: p.maxPerNode },
        },
      }),
    );
    const from = (i: number) => variants[i % variants.length];
    tasks.push(...s.running.map((r, i) => task(from(r.template), `s${si}.r${i}`, { slot: 100 + i, node: name(r.node), state: r.state, desired: r.desired })));
    s.pending.forEach((p, i) => {
      const t = task(from(p.template), `s${si}.p${i}`, { slot: i + 1, state: 'pending', ...(s.global ? { node: name(p.node) } : {}) });
      pending.push(t);
      tasks.push(t);
    });
  });
  return { nodes, tasks, pending };
}

describe('schedule agrees with the reference scheduler (every node for every task)', () => {
  it('on random clusters: same assignments and reasons, in the same order', () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 12 }), fc.array(serviceArb, { minLength: 1, maxLength: 4 }), (nodeSpecs, services) => {
        const { nodes, tasks, pending } = cluster(nodeSpecs, services);
        expect(schedule(pending, nodes, tasks)).toEqual(naiveSchedule(pending, nodes, tasks));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the manager's node usage index (kept change by change)", () => {
  it('gives the same decisions as a pass over every task, after tasks came, changed and went', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { maxLength: 12 }),
        fc.array(serviceArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 20 }),
        (nodeSpecs, services, churn) => {
          const { nodes, tasks, pending } = cluster(nodeSpecs, services);
          const index = new NodeUsageIndex(() => []);
          // every task arrives; some take another task's content under their name and then go
          // for good, or come back as they were: what is left must count as those tasks do
          for (const t of tasks) index.apply({ object: t });
          const live = new Map(tasks.map((t) => [t.metadata.name, t]));
          for (const [a, b, gone] of churn) {
            if (live.size === 0) break;
            const names = [...live.keys()];
            const t = live.get(names[a % names.length])!;
            const stand = { ...tasks[b % tasks.length], metadata: t.metadata };
            index.apply({ old: t, object: stand });
            index.apply({ old: stand, object: gone ? undefined : t });
            if (gone) live.delete(t.metadata.name);
          }
          expect(schedule(pending, nodes, index)).toEqual(schedule(pending, nodes, [...live.values()]));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('schedule at scale: 10,000 tasks on 1,000 nodes', () => {
  // the bench's cluster: 4 zones, tiers a and b alternating; one service spread over zones, one
  // held to tier a (src/bench/scale-stacks.ts)
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`hollow-${i}`, { labels: { zone: `z${i % 4}`, tier: i % 2 === 0 ? 'a' : 'b' } }));
  const zoneOf = new Map(nodes.map((n) => [n.metadata.name, n.spec.labels.zone]));
  const tierOf = new Map(nodes.map((n) => [n.metadata.name, n.spec.labels.tier]));
  const web = service('web', { deploy: { placement: { preferences: [{ spread: 'node.labels.zone' }] } } });
  const api = service('api', { deploy: { placement: { constraints: ['node.labels.tier == a'] } } });
  const pending = [web, api].flatMap((svc) => Array.from({ length: 5000 }, (_, i) => task(svc, `${svc.metadata.name}.${i + 1}`, { slot: i + 1, state: 'pending' })));
  const result = schedule(pending, nodes, pending);
  const count = (names: string[]) => names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
  const nodesOf = (svc: string) => result.assignments.filter((a) => a.taskName.startsWith(`${svc}.`)).map((a) => a.nodeName);

  it('places every task exactly once', () => {
    expect(result.unschedulable).toEqual([]);
    expect(new Set(result.assignments.map((a) => a.taskName)).size).toBe(10_000);
  });

  it('spreads web evenly over zones and nodes: 1,250 per zone, 5 per node', () => {
    expect([...count(nodesOf('web').map((n) => zoneOf.get(n)!)).values()]).toEqual([1250, 1250, 1250, 1250]);
    expect(new Set(count(nodesOf('web')).values())).toEqual(new Set([5]));
  });

  it('holds api to tier-a nodes, 10 on each of the 500', () => {
    expect(nodesOf('api').every((n) => tierOf.get(n) === 'a')).toBe(true);
    expect(new Set(count(nodesOf('api')).values())).toEqual(new Set([10]));
  });
});
