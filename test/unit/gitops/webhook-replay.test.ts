// Which webhook deliveries count as seen before, and what the receiver remembers.
import { deliveryIds, MAX_REMEMBERED, parseDeliveries, recordDelivery, REPLAY_WINDOW_MS } from '../../../src/gitops/webhook-replay.js';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const digest = deliveryIds({}, body)[0];

describe('deliveryIds', () => {
  test('the body digest always, and each delivery header sent', () => {
    const [bodyId, ...rest] = deliveryIds({ 'x-github-delivery': 'abc', 'x-gitlab-event-uuid': ['u1', 'u2'] }, body);
    expect(bodyId).toMatch(/^body:[0-9a-f]{64}$/);
    expect(rest).toEqual(['x-github-delivery:abc', 'x-gitlab-event-uuid:u1']);
    expect(deliveryIds({}, body)).toEqual([bodyId]);
    expect(deliveryIds({}, Buffer.from('other'))[0]).not.toBe(bodyId);
  });
});

describe('recordDelivery', () => {
  const now = 10 * REPLAY_WINDOW_MS;

  test('a new delivery is recorded; the same id or the same body again is a duplicate', () => {
    const first = recordDelivery({}, [digest, 'x-github-delivery:d1'], now);
    expect(first).toEqual({ duplicate: false, next: { [digest]: now, 'x-github-delivery:d1': now } });
    if (first.duplicate) throw new Error('unreachable');
    expect(recordDelivery(first.next, ['body:other', 'x-github-delivery:d1'], now + 1)).toEqual({ duplicate: true });
    expect(recordDelivery(first.next, [digest, 'x-github-delivery:fresh'], now + 1)).toEqual({ duplicate: true });
  });

  test('deliveries older than the window are forgotten', () => {
    const seen = { [digest]: now - REPLAY_WINDOW_MS, 'body:recent': now - 1 };
    expect(recordDelivery(seen, [digest], now)).toEqual({ duplicate: false, next: { 'body:recent': now - 1, [digest]: now } });
  });

  test(`at most ${MAX_REMEMBERED} are kept, the newest`, () => {
    const seen = Object.fromEntries(Array.from({ length: MAX_REMEMBERED }, (_, i) => [`body:${i}`, now - MAX_REMEMBERED + i]));
    const res = recordDelivery(seen, ['body:new', 'x-github-delivery:new'], now);
    if (res.duplicate) throw new Error('expected a new delivery');
    expect(Object.keys(res.next)).toHaveLength(MAX_REMEMBERED);
    expect(res.next).not.toHaveProperty('body:0');
    expect(res.next).not.toHaveProperty('body:1');
    expect(res.next).toHaveProperty('body:2');
    expect(res.next['body:new']).toBe(now);
  });

  test('an unreadable annotation remembers nothing', () => {
    expect(parseDeliveries(undefined)).toEqual({});
    expect(parseDeliveries('not json')).toEqual({});
    expect(parseDeliveries('[1,2]')).toEqual({});
    expect(parseDeliveries('{"a":1,"b":"x"}')).toEqual({ a: 1 });
  });
});
