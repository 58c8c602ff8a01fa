import { jest } from '@jest/globals';
import { exponentialBackoff, requeueBackoff } from '../../../src/controller/backoff.js';
import { WorkQueue } from '../../../src/controller/workqueue.js';

describe('WorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('runs a key added during its reconcile once more, afterwards, never concurrently', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a'); // arrives while processing
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('with minGapMs, runs a key again only that long after its last reconcile ended', async () => {
    jest.useFakeTimers();
    try {
      const q = new WorkQueue(undefined, 200);
      q.add('a');
      q.done((await q.get())!);
      q.add('a'); // right after: waits out the gap
      q.add('b'); // another key is not held back
      expect(q.length).toBe(1);
      jest.advanceTimersByTime(199);
      expect(q.length).toBe(1);
      jest.advanceTimersByTime(1);
      expect(q.length).toBe(2);
      expect(await q.get()).toBe('b');
      expect(await q.get()).toBe('a');
      q.done('a');
      jest.advanceTimersByTime(200);
      q.add('a'); // after the gap: at once
      expect(q.length).toBe(1);
      q.shutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('done(key, gapMs): a reconcile spaces its own key out further than minGapMs, others not', async () => {
    jest.useFakeTimers();
    try {
      const q = new WorkQueue(undefined, 200);
      q.add('costly');
      q.done((await q.get())!, 1000);
      q.add('costly');
      q.add('cheap');
      q.done((await q.get())!, 50); // cheap: minGapMs still holds
      q.add('cheap');
      expect(q.length).toBe(0);
      jest.advanceTimersByTime(200);
      expect(q.length).toBe(1);
      expect(await q.get()).toBe('cheap');
      jest.advanceTimersByTime(799);
      expect(q.length).toBe(0);
      jest.advanceTimersByTime(1);
      expect(await q.get()).toBe('costly');
      q.shutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('wakes a waiting worker on add and returns undefined after shutdown', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
    const after = q.get();
    q.shutdown();
    expect(await after).toBeUndefined();
  });

  it('requeues failures with growing per-key delays, reset by forget', () => {
    jest.useFakeTimers();
    try {
      const q = new WorkQueue(exponentialBackoff(10, 1000));
      expect(q.addRateLimited('k')).toBe(10);
      expect(q.addRateLimited('k')).toBe(20);
      expect(q.addRateLimited('k')).toBe(40);
      expect(q.addRateLimited('other')).toBe(10);
      q.forget('k');
      expect(q.addRateLimited('k')).toBe(10);
      jest.advanceTimersByTime(10);
      expect(q.length).toBe(2);
      q.shutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('caps backoff like controller-runtime (5 ms .. 1000 s)', () => {
    expect(requeueBackoff.delayMs(1)).toBe(5);
    expect(requeueBackoff.delayMs(2)).toBe(10);
    expect(requeueBackoff.delayMs(40)).toBe(1_000_000);
  });
  it('tells the age of the key that has waited longest, and how long a key waited (stackd_workqueue_*)', async () => {
    const q = new WorkQueue();
    expect(q.oldestAgeMs()).toBe(0);
    const t0 = Date.now();
    q.add('a');
    q.add('b');
    expect(q.oldestAgeMs(t0 + 1000)).toBeGreaterThanOrEqual(1000 - (Date.now() - t0));
    const first = await q.getTimed();
    expect(first?.key).toBe('a');
    expect(first?.waitedMs).toBeGreaterThanOrEqual(0);
    q.done('a');
    await q.get();
    expect(q.oldestAgeMs()).toBe(0);
  });
});
