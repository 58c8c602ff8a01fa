import { asReport, OutageLog } from '../../../src/controller/outage-log.js';

describe('OutageLog', () => {
  it('logs the first failure, then at most every 30 s, then the recovery once', () => {
    let now = 1_000;
    const lines: string[] = [];
    const o = new OutageLog(
      'watch tasks',
      (m) => lines.push(m),
      () => now,
    );
    o.recovered(); // nothing failed: nothing to say
    for (let t = 0; t <= 65_000; t += 1_000) {
      now = 1_000 + t;
      o.failed(new Error('connection refused'));
    }
    expect(o.failing).toBe(true);
    now = 70_000;
    o.recovered();
    o.recovered();
    expect(lines).toEqual([
      'watch tasks: connection refused; retrying with backoff (logged again every 30s while it lasts)',
      'watch tasks: still failing after 30s (31 attempts): connection refused',
      'watch tasks: still failing after 60s (61 attempts): connection refused',
      'watch tasks: recovered after 69s (66 failed attempts)',
    ]);
    expect(o.failing).toBe(false);
    now = 80_000;
    o.failed('again');
    expect(lines[4]).toBe('watch tasks: again; retrying with backoff (logged again every 30s while it lasts)');
  });

  it('takes a plain callback where a report is expected', () => {
    const seen: unknown[] = [];
    const r = asReport((e) => seen.push(e));
    r.failed('x');
    r.recovered();
    expect(seen).toEqual(['x']);
    expect(() => asReport(undefined).failed('y')).not.toThrow();
  });
});
