// Real processes (hack/cluster-up.sh: three TLS etcd members, a manager beside each, an agent on the
// local engine), one cluster for two faults during rolling updates:
//  - kill -9 of the leading manager mid-rollout: another leads and finishes it;
//  - the leader paused (SIGSTOP) past its lease mid-rollout while another takes over and changes
//    the service, then resumed: nothing the old leader meant to write lands (fencing).
// All along, a sampler checks that no slot ever has two running tasks (Store) or two running
// containers (engine). No timing is asserted: the figures are in hack/bench-failover.sh.
import { firstValueFrom, filter, takeWhile, toArray, timeout } from 'rxjs';
import type { Task } from '../../../src/api/objects.js';
import { kindPrefix, MANAGER_ELECTION } from '../../../src/api/keys.js';
import { decodeObject } from '../../../src/client/codec.js';
import { electionPrefix } from '../../../src/store/store-election.js';
import type { WatchMessage } from '../../../src/store/store.js';
import { eventually } from '../../helpers/cluster.js';
import { V1, V2, V3 } from '../rollout/helpers.js';
import { HaCluster } from './ha-cluster.js';

let c: HaCluster;
beforeAll(async () => {
  c = await HaCluster.up('harf');
}, 90_000);
afterAll(async () => {
  await c?.down();
}, 120_000);

describe('three managers, three TLS etcd members, faults during rolling updates', () => {
  it('kill -9 of the leading manager mid-rollout: another leads and finishes it, one task per slot throughout', async () => {
    await eventually(async () => (await c.leader()) >= 0, 'a leader', 60_000);
    await c.deploy(V1, 3);
    await c.rolledOut(V1, 3);
    await c.deploy(V2, 3, '--detach');
    await c.midRollout();
    const dead = await c.leader();
    process.kill(c.pidOf(`manager-${dead}`), 'SIGKILL');
    await c.anotherLeader(dead);
    const tasks = await c.rolledOut(V2, 3);
    // each slot replaced once: one V1 (history) and one V2 task
    expect(
      tasks
        .filter((t) => t.spec.template.image === V2)
        .map((t) => t.spec.slot)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(c.violations).toEqual([]);
  }, 240_000);

  it('a leader paused past its lease mid-rollout and resumed after another changed the service: none of its writes land', async () => {
    await c.deploy(V3, 3, '--detach');
    await c.midRollout();
    const old = await c.leader();
    process.kill(c.pidOf(`manager-${old}`), 'SIGSTOP');
    let resumed = false;
    try {
      const next = await c.anotherLeader(old);
      // the new leader's change: back to V2 on two replicas
      await c.deploy(V2, 2);
      await c.rolledOut(V2, 2);
      const { revision: r0 } = await c.store.list(kindPrefix('Task', c.stack));
      const lostBefore = c.logOf(`manager-${old}`).split('leadership lost').length;
      process.kill(c.pidOf(`manager-${old}`), 'SIGCONT');
      resumed = true;
      // it notices, stops its controllers and campaigns again as a standby
      await eventually(() => c.logOf(`manager-${old}`).split('leadership lost').length > lostBefore, 'the old leader to log leadership lost', 30_000);
      await eventually(
        async () => (await c.store.list(electionPrefix(MANAGER_ELECTION))).items.some((kv) => kv.value.endsWith(`-${c.pidOf(`manager-${old}`)}`)),
        'the old leader to campaign again',
        30_000,
      );
      expect(await c.leader()).toBe(next);

      // every task write since the resume: none is the old leader's (it knew only V3 on 3 slots)
      // up to the last write of a task still there (the watch reports revisions of its own keys only)
      const r1 = Math.max(0, ...(await c.store.list(kindPrefix('Task', c.stack))).items.map((kv) => kv.modRevision));
      const events =
        r1 > r0
          ? await firstValueFrom(
              c.store.watch(kindPrefix('Task', c.stack), r0 + 1).pipe(
                filter((m): m is Extract<WatchMessage, { type: 'events' }> => m.type === 'events'),
                takeWhile((m) => m.revision < r1, true),
                toArray(),
                timeout(30_000),
              ),
            )
          : [];
      const written = events
        .flatMap((m) => m.events)
        .filter((e) => e.type === 'put')
        .map((e) => ({ kv: e.kv, task: decodeObject<Task>(e.kv) }));
      const stale = written.filter(
        ({ kv, task }) =>
          (kv.createRevision > r0 && task.spec.template.image !== V2) ||
          (task.spec.slot === 3 && task.spec.desiredState === 'running') ||
          (task.spec.template.image === V2 && task.spec.desiredState !== 'running'),
      );
      expect(stale.map(({ kv }) => kv.key)).toEqual([]);
      await c.rolledOut(V2, 2);
      expect(c.violations).toEqual([]);
    } finally {
      if (!resumed) process.kill(c.pidOf(`manager-${old}`), 'SIGCONT');
    }
  }, 300_000);
});
