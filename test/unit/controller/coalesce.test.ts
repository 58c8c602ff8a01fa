import { TestScheduler } from 'rxjs/testing';
import { coalesce } from '../../../src/controller/coalesce.js';

describe('coalesce', () => {
  it('passes the first change at once and the last of a burst at the window end, nothing else', () => {
    const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    ts.run(({ cold, expectObservable }) => {
      // a burst a-b-c within 5 frames, then d alone long after
      const source = cold('a-b-c------------d|');
      expectObservable(source.pipe(coalesce(5, ts))).toBe('a----c-----------d|');
    });
  });
});
