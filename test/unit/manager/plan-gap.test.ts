import { planGap } from '../../../src/manager/plan-gap.js';

describe('planGap', () => {
  it('spaces out a plan that only judged by several times its own time', () => {
    expect(planGap(40)).toBeGreaterThanOrEqual(5 * 40);
    expect(planGap(40, false)).toBe(planGap(40));
    expect(planGap(80)).toBeGreaterThan(planGap(40)); // a longer plan waits longer
  });

  it('does not space out a plan that acted: its effects are what the next plan works on', () => {
    expect(planGap(40, true)).toBe(0);
    expect(planGap(500, true)).toBe(0);
  });
});
