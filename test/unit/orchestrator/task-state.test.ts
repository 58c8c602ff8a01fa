import type { TaskState } from '../../../src/api/objects.js';
import { canAdvance, isTerminal } from '../../../src/orchestrator/task-state.js';

describe('task states', () => {
  it.each<[TaskState, boolean]>([
    ['new', false],
    ['pending', false],
    ['assigned', false],
    ['accepted', false],
    ['preparing', false],
    ['ready', false],
    ['starting', false],
    ['running', false],
    ['stopped', false],
    ['complete', true],
    ['shutdown', true],
    ['failed', true],
    ['rejected', true],
    ['orphaned', true],
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
    ['running', 'stopped', true], // Compose stop
    ['assigned', 'stopped', true], // stopped before it had a container
    ['stopped', 'starting', true], // the one way back: started again (the same container)
    ['stopped', 'running', true],
    ['stopped', 'preparing', true], // stopped before it had a container: start prepares one
    ['stopped', 'pending', false], // but never back to the manager's states
    ['stopped', 'assigned', false],
    ['stopped', 'shutdown', true],
    ['stopped', 'failed', true],
    ['complete', 'stopped', false],
  ])('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canAdvance(from, to)).toBe(allowed);
  });
});
