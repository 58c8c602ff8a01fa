import { candidateNames, parseResolvConf, removalTime, summarize, type Sample } from '../../../src/bench/net-bench-stats.js';

const ok = (start: number, backend: string, addr = '10.0.0.2', ms = 5): Sample => ({ start, ms, addr, backend });
const fail = (start: number, addr = '10.0.0.2', error = 'ECONNREFUSED'): Sample => ({ start, ms: 300, addr, error });

describe('summarize', () => {
  it('counts successes per backend, rates them over the wall time and takes latency percentiles of successes only', () => {
    const samples = [...Array.from({ length: 99 }, (_, i) => ok(i, i % 2 ? 'a' : 'b', 'x', i + 1)), fail(100)];
    const s = summarize(samples, 2000);
    expect(s).toMatchObject({ requests: 100, errors: 1, backends: { a: 49, b: 50 }, firstError: 'ECONNREFUSED' });
    expect(s.rps).toBeCloseTo(49.5);
    expect(s.p50).toBe(50);
    expect(s.p99).toBe(99);
  });

  it('has no latency and no rate when every request failed', () => {
    const s = summarize([fail(0), fail(1)], 1000);
    expect(s).toMatchObject({ requests: 2, errors: 2, rps: 0, backends: {} });
    expect(s.p50).toBeNaN();
  });
});

describe('removalTime', () => {
  const killedAt = 1000;
  it('is the first good request after the last failed one, counting requests the victim still answered', () => {
    const samples = [ok(900, 'v'), ok(950, 'w'), ok(1010, 'v'), fail(1020), ok(1030, 'w'), fail(1040), ok(1300, 'w'), ok(1320, 'w')];
    expect(removalTime(samples, killedAt, 'v')).toEqual({ ms: 300, bad: 3, good: 3, victimBefore: 1 });
  });

  it('is undefined when requests still fail or reach the victim at the end of the window', () => {
    expect(removalTime([ok(900, 'v'), ok(1100, 'w'), fail(1200)], killedAt, 'v')).toBeUndefined();
    expect(removalTime([ok(900, 'v'), ok(1100, 'w'), ok(1200, 'v')], killedAt, 'v')).toBeUndefined();
  });

  it('with the victim address, ignores failures at other tasks (a replacement not yet listening)', () => {
    const samples = [ok(900, 'v', '10.0.0.2'), fail(1010, '10.0.0.2'), ok(1020, 'w', '10.0.0.3'), ok(1100, 'w', '10.0.0.3'), fail(1500, '10.0.0.9')];
    expect(removalTime(samples, killedAt, 'v', '10.0.0.2')).toEqual({ ms: 20, bad: 1, good: 2, victimBefore: 1 });
    // without it (a virtual IP) the late failure counts, and nothing good follows it
    expect(removalTime(samples, killedAt, 'v')).toBeUndefined();
  });

  it('ignores requests started before the kill, and says when the victim answered none of them', () => {
    expect(removalTime([fail(100), ok(1001, 'w')], killedAt, 'v')).toEqual({ ms: 1, bad: 0, good: 1, victimBefore: 0 });
  });
});

describe('parseResolvConf / candidateNames', () => {
  it("reads Docker's embedded resolver and search domains, skipping comments and options", () => {
    const conf = parseResolvConf('# generated\nsearch example.com corp\nnameserver 127.0.0.11 ; the engine\noptions ndots:0\n');
    expect(conf).toEqual({ nameservers: ['127.0.0.11'], search: ['example.com', 'corp'] });
    expect(candidateNames('web', conf)).toEqual(['web', 'web.example.com', 'web.corp']);
    expect(candidateNames('web.', conf)).toEqual(['web']);
  });
});
