// hack/cluster-up.sh: three TLS etcd members with a manager beside each. kill -9 of the leading
// manager: its election key goes with its lease, and another manager leads; `stackctl cluster
// status` then names the new leader and etcd's members.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, run, tempDir } from '../../helpers/cli.js';
import { eventually, freePortBlock } from '../../helpers/stackd.js';
import { openStore } from '../../../src/store/open.js';
import { electionPrefix } from '../../../src/store/store-election.js';
import { MANAGER_ELECTION } from '../../../src/api/keys.js';
import type { Store } from '../../../src/store/store.js';

const exec = promisify(execFile);
const dir = join(tempDir('stackd-cluster-'), 'cluster');
let store: Store;

/** Campaigners in order: the first leads. */
async function campaigners(): Promise<string[]> {
  const { items } = await store.list(electionPrefix(MANAGER_ELECTION));
  return items.sort((a, b) => a.createRevision - b.createRevision).map((kv) => kv.value);
}

beforeAll(async () => {
  // six ports from a free one on: the members' client and peer ports
  await exec('bash', [join(ROOT, 'hack/cluster-up.sh'), dir], { env: { ...process.env, BASE_PORT: String(await freePortBlock(9)) }, timeout: 60_000 });
  const c = join(dir, 'certs');
  const url = /STACKD_STORE=(\S+)/.exec(readFileSync(join(dir, 'env'), 'utf8'))![1];
  store = await openStore(url, { storeCacert: join(c, 'ca.crt'), storeCert: join(c, 'client.crt'), storeKey: join(c, 'client.key') });
}, 90_000);
afterAll(async () => {
  await store?.close();
  await exec('bash', [join(ROOT, 'hack/cluster-down.sh'), dir], { timeout: 60_000 });
});

describe('three managers beside three TLS etcd members', () => {
  it('another manager leads after kill -9 of the leader', async () => {
    const before = await eventually(async () => {
      const ids = await campaigners();
      expect(ids).toHaveLength(3);
      return ids;
    });
    const pids = [0, 1, 2].map((i) => readFileSync(join(dir, `manager-${i}.pid`), 'utf8').trim());
    const leader = before[0];
    // identity is host-pid
    const leaderIndex = pids.findIndex((pid) => leader.endsWith(`-${pid}`));
    expect(leaderIndex).toBeGreaterThanOrEqual(0);
    await eventually(() => readFileSync(join(dir, `manager-${leaderIndex}.log`), 'utf8').includes(`${leader} is the leader`));

    process.kill(Number(pids[leaderIndex]), 'SIGKILL');
    const after = await eventually(async () => {
      const ids = await campaigners();
      expect(ids).toEqual(before.slice(1)); // the dead one's lease expired; order kept
      return ids;
    }, 30_000);
    const next = pids.findIndex((pid) => after[0].endsWith(`-${pid}`));
    await eventually(() => readFileSync(join(dir, `manager-${next}.log`), 'utf8').includes(`${after[0]} is the leader`), 30_000);

    // cluster status: the survivors (the new leader first), and etcd's three members, one leading
    const env = Object.fromEntries([...readFileSync(join(dir, 'env'), 'utf8').matchAll(/(STACKD_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
    const status = await eventually(async () => {
      const res = await run('stackctl', ['cluster', 'status', '--format', 'json'], env);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      const parsed = JSON.parse(res.stdout) as {
        managers: { identity: string; status: string; address: string }[];
        etcd: { name: string; healthy: boolean; leader: boolean; raftIndex: number }[];
      };
      expect(parsed.managers.map((m) => [m.identity, m.status])).toEqual([
        [after[0], 'leader'],
        [after[1], 'standby'],
      ]);
      return parsed;
    }, 30_000);
    expect(status.managers.every((m) => /^127\.0\.0\.1:\d+$/.test(m.address))).toBe(true);
    expect(status.etcd.map((m) => m.name)).toEqual(['m0', 'm1', 'm2']);
    expect(status.etcd.every((m) => m.healthy && m.raftIndex > 0)).toBe(true);
    expect(status.etcd.filter((m) => m.leader)).toHaveLength(1);
    const table = await run('stackctl', ['cluster', 'status'], env);
    expect(table.stdout).toMatch(new RegExp(`^${after[0]}\\s+127\\.0\\.0\\.1:\\d+\\s+Leader\\s`, 'm'));
  }, 120_000);
});
