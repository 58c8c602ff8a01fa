// Repeats counted on one event, throttled writes, and the Store's count carried on.
import { decide, eventName, mergeStored, observe, type Occurrence, type Tracked } from '../../../src/events/correlate.js';

const T0 = Date.parse('2026-12-05T20:00:00.000Z');
const HOUR = 3_600_000;
const crash: Occurrence = {
  object: { kind: 'Service', stack: 'accounts', name: 'web' },
  type: 'Warning',
  reason: 'TaskFailed',
  message: 'web.1 failed: exit code 1',
  source: { component: 'manager', host: 'm1' },
};

describe('observe', () => {
  it('a first occurrence is a new event with count 1, named by its object and a hash', () => {
    const t = observe(undefined, crash, T0, HOUR);
    expect(t.event).toMatchObject({
      kind: 'Event',
      metadata: { namespace: 'accounts', creationTimestamp: '2026-12-05T20:00:00.000Z' },
      involvedObject: crash.object,
      type: 'Warning',
      reason: 'TaskFailed',
      count: 1,
      firstTimestamp: '2026-12-05T20:00:00.000Z',
      lastTimestamp: '2026-12-05T20:00:00.000Z',
      source: { component: 'manager', host: 'm1' },
    });
    expect(t.event.metadata.name).toMatch(/^service\.web\.[0-9a-f]{12}$/);
    expect(t.writtenAt).toBeUndefined();
  });

  it('a repeat bumps count and lastTimestamp on the same event', () => {
    const first = observe(undefined, crash, T0, HOUR);
    const second = observe({ ...first, writtenAt: T0, writtenCount: 1 }, crash, T0 + 5000, HOUR);
    expect(second.event.metadata.name).toBe(first.event.metadata.name);
    expect(second.event.count).toBe(2);
    expect(second.event.firstTimestamp).toBe(first.event.firstTimestamp);
    expect(second.event.lastTimestamp).toBe('2026-12-05T20:00:05.000Z');
    expect(second.writtenCount).toBe(1);
  });

  it('an event last seen longer ago than the TTL has expired: it starts over', () => {
    const first = observe(undefined, crash, T0, HOUR);
    const again = observe({ ...first, writtenAt: T0, writtenCount: 1 }, crash, T0 + HOUR + 1, HOUR);
    expect(again.event.count).toBe(1);
    expect(again.writtenAt).toBeUndefined();
  });

  it.each([
    ['another message', { message: 'web.1 failed: exit code 2' }],
    ['another reason', { reason: 'TaskRejected' }],
    ['another type', { type: 'Normal' as const }],
    ['another object', { object: { kind: 'Service' as const, stack: 'accounts', name: 'api' } }],
    ['another stack', { object: { kind: 'Service' as const, stack: 'billing', name: 'web' } }],
  ])('%s is another event', (_, change) => {
    const o = { ...crash, ...change };
    expect(eventName(o.object, o.type, o.reason, o.message)).not.toBe(eventName(crash.object, crash.type, crash.reason, crash.message));
  });
});

describe('decide', () => {
  const tracked = (count: number, writtenAt: number | undefined, writtenCount: number): Tracked => {
    const t = observe(undefined, crash, T0, HOUR);
    return { event: { ...t.event, count }, writtenAt, writtenCount };
  };

  it.each([
    ['never written: write at once', tracked(1, undefined, 0), T0, { kind: 'write' }],
    ['nothing new since the last write: nothing, ever', tracked(3, T0, 3), T0 + 10_000, { kind: 'later', at: Number.POSITIVE_INFINITY }],
    ['a repeat within the throttle: at the end of it', tracked(4, T0, 3), T0 + 200, { kind: 'later', at: T0 + 1000 }],
    ['a repeat after the throttle: at once', tracked(4, T0, 3), T0 + 1000, { kind: 'write' }],
  ])('%s', (_, t, now, expected) => {
    expect(decide(t, now, 1000)).toEqual(expected);
  });
});

describe('mergeStored', () => {
  it('carries the stored count and first timestamp on, adding what this recorder has not written', () => {
    const first = observe(undefined, crash, T0 + 60_000, HOUR);
    const mine = observe(first, crash, T0 + 61_000, HOUR); // count 2, none written
    const stored = { ...observe(undefined, crash, T0, HOUR).event, count: 7 };
    const merged = mergeStored(stored, mine);
    expect(merged.count).toBe(9);
    expect(merged.firstTimestamp).toBe('2026-12-05T20:00:00.000Z');
    expect(merged.metadata.creationTimestamp).toBe('2026-12-05T20:00:00.000Z');
    expect(merged.lastTimestamp).toBe('2026-12-05T20:01:01.000Z');
  });
});
