// The IPAM's index of which nodes run a task of each service: kept change by change, it must
// always say what a fresh count of the tasks says.
import fc from 'fast-check';
import type { Task } from '../../../src/api/objects.js';
import { PlacedTaskIndex, placedTasks } from '../../../src/net/placed-tasks.js';

const task = (name: string, service: string, node: string | undefined, desiredState: string): Task =>
  ({ metadata: { name, namespace: 's' }, spec: { stack: 's', service, nodeName: node, desiredState } }) as never;

const taskArb = (name: string) =>
  fc
    .tuple(fc.constantFrom('web', 'api'), fc.constantFrom(undefined, 'n1', 'n2', 'n3'), fc.constantFrom('running', 'shutdown'))
    .map(([service, node, desired]) => task(name, service, node, desired));

/** a step: put task i (new or replacing it) or delete it */
const stepArb = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.option(taskArb('x'), { nil: undefined }));

const nodesOf = (index: { nodesRunning(stack: string, service: string): Iterable<string> }, service: string) => [...index.nodesRunning('s', service)].sort();

describe('PlacedTaskIndex', () => {
  it('after any sequence of changes, says what a fresh count of the tasks says', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        const cache = new Map<string, Task>();
        const index = new PlacedTaskIndex(() => [...cache.values()]);
        for (const [i, next] of steps) {
          const name = `t${i}`;
          const old = cache.get(name);
          const object = next && { ...next, metadata: { ...next.metadata, name } };
          if (object) cache.set(name, object);
          else cache.delete(name);
          if (old || object) index.apply({ object, old });
        }
        const fresh = placedTasks([...cache.values()]);
        for (const service of ['web', 'api']) expect(nodesOf(index, service)).toEqual(nodesOf(fresh, service));
      }),
      { numRuns: 500 },
    );
  });

  it('counts only tasks on a node and wanted running, each node once', () => {
    const index = placedTasks([
      task('a', 'web', 'n1', 'running'),
      task('b', 'web', 'n1', 'running'),
      task('c', 'web', 'n2', 'shutdown'),
      task('d', 'web', undefined, 'running'),
    ]);
    expect(nodesOf(index, 'web')).toEqual(['n1']);
    expect(nodesOf(index, 'api')).toEqual([]);
  });
});
