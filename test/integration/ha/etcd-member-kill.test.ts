// kill -9 of the leading manager's etcd member in the middle of a rolling update, on hack/cluster-up.sh
// (three TLS members, a manager beside each pointed at its own member first, an agent).
// Which member: the leading manager's own one, made raft leader first (etcdctl move-leader), so
// one kill takes both what the leading manager talks to (its lease keep-alives and watches) and the
// raft leader (a raft election and every lease's TTL restarted by the new raft leader): the worst
// single-member loss for the control plane. Asserted: a manager leads (the same one through
// another member, or another), the rollout finishes, each slot replaced once, never two running
// per slot. No timing is asserted: hack/bench-failover.sh measures it.
import { join } from 'node:path';
import { eventually } from '../../helpers/cluster.js';
import { V1, V2 } from '../rollout/helpers.js';
import { HaCluster, memberIds, raftLeader } from './ha-cluster.js';

let c: HaCluster;
beforeAll(async () => {
  c = await HaCluster.up('haek');
}, 90_000);
afterAll(async () => {
  await c?.down();
}, 120_000);

it("kill -9 of the leading manager's etcd member, made raft leader, mid-rollout: a manager leads and finishes it, one task per slot", async () => {
  const lead = await eventually(async () => ((await c.leader()) >= 0 ? c.leader() : false), 'a leader', 60_000);
  await c.deploy(V1, 3);
  await c.rolledOut(V1, 3);
  // the leading manager's member m<lead> becomes the raft leader
  const ids = memberIds(await c.etcdctl(['member', 'list']));
  const endpoints = c.env.STACKD_STORE.replace(/^etcds:\/\//, '').split(',');
  const target = `https://${endpoints[lead]}`;
  const current = raftLeader(await c.etcdctl(['endpoint', 'status']));
  if (current !== target) await c.etcdctl(['move-leader', ids.get(`m${lead}`)!], current!.replace('https://', ''));
  await eventually(async () => raftLeader(await c.etcdctl(['endpoint', 'status'])) === target, `m${lead} to lead raft`, 30_000);

  await c.deploy(V2, 3, '--detach');
  await c.midRollout();
  process.kill(c.pidOf(`etcd-${lead}`), 'SIGKILL');
  const survivors = endpoints.filter((_, i) => i !== lead).join(',');
  await eventually(async () => raftLeader(await c.etcdctl(['endpoint', 'status'], survivors)) !== undefined, 'a new raft leader', 30_000);
  const now = await eventually(async () => ((await c.leader()) >= 0 ? c.leader() : false), 'a leading manager', 60_000);
  await eventually(() => c.logOf(`manager-${now}`).includes(`-${c.pidOf(`manager-${now}`)} is the leader`), 'its log to say it leads', 30_000);
  const tasks = await c.rolledOut(V2, 3);
  expect(
    tasks
      .filter((t) => t.spec.template.image === V2)
      .map((t) => t.spec.slot)
      .sort(),
  ).toEqual([1, 2, 3]);
  expect(c.violations).toEqual([]);
  // for the record (not asserted): did leadership move, and what the managers logged
  console.log(`manager ${lead} led on m${lead}; after the kill manager ${now} leads; dir ${join(c.dir)}`);
}, 300_000);
