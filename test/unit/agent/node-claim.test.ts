// Who may hold a node name (pure): the claim in the heartbeat key, judged against this agent.
import { judgeClaim, parseClaim, type Claim } from '../../../src/agent/node-claim.js';

const me: Claim = { host: 'h1', pid: 200, since: '2026-12-05T12:00:00Z', instance: 'me' };
const other = (over: Partial<Claim>): Claim => ({ host: 'h1', pid: 100, since: '2026-12-05T11:00:00Z', instance: 'first', ...over });
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('judgeClaim', () => {
  it.each([
    ['a live agent on this host: refused', other({}), [100], 'refuse'],
    ['a dead predecessor on this host (kill -9, restarted): taken over at once', other({}), [], 'take'],
    ["this agent's own claim (renewed after a store outage)", other({ instance: 'me' }), [100], 'take'],
    ["another host's claim: wait for its lease to lapse", other({ host: 'h2' }), [100], 'wait'],
    ['a claim from before claims existed: wait', undefined, [], 'wait'],
  ] as const)('%s', (_what, found, pids, verdict) => {
    expect(judgeClaim(found, me, alive([...pids]))).toBe(verdict);
  });
});

describe('parseClaim', () => {
  it("reads a claim, and nothing from an older agent's heartbeat (a date) or garbage", () => {
    expect(parseClaim(JSON.stringify(me))).toEqual(me);
    expect(parseClaim('2026-12-05T12:00:00.000Z')).toBeUndefined();
    expect(parseClaim('{"host":1}')).toBeUndefined();
  });
});
