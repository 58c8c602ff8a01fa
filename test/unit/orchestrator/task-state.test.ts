import type { TaskState } from '../../../src/api/objects.js';
import { canAdvance, isTerminal } from '../../../src/orchestrator/task-state.js';

describe('task states', () => {
  it.each<[TaskState, boolean]>([
    ['new', false], ['pending', false], ['assigned', false], ['accepted', false], ['preparing', false],
    ['ready', false], ['starting', false], ['running', false],
    ['complete', true], ['shutdown', true], ['failed', true], ['rejected', true], ['orphaned', true],
  ])('%s terminal: %s', (state, terminal) => {
    expect(isTerminal(state)).toBe(terminal);
  });

  it.each<[TaskState, TaskState, boolean]>([
    ['new', 'pending', true],
    ['pending', 'assigned', true],
    ['assigned', 'running', true], // an agent may report several steps at once
    ['running', 'failed', true],
    ['starting', 'rejected', true],
    ['running', 'orphaned', true],
    ['pending', 'new', false], // never backwards
    ['running', 'starting', false],
    ['running', 'running', false], // not a move
    ['complete', 'failed', false], // terminal states are final
    ['failed', 'orphaned', false],
    ['orphaned', 'running', false], // a lost node coming back cannot revive an orphaned task
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canAdvance(from, to)).toBe(allowed);
  });
});
