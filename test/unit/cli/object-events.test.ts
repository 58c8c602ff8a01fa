// kubectl describe's "Events:" section, as `rollout status` prints it (src/cli/object-events.ts).
import { newEvent } from '../../../src/events/event.js';
import { eventsSection } from '../../../src/cli/object-events.js';

const now = new Date('2026-12-06T03:00:00.000Z');

test('no events: one line', () => {
  expect(eventsSection([], now)).toBe('Events: <none>\n');
});

test('an indented table of the events as given, ages from now', () => {
  const failed = {
    ...newEvent(
      'service.web.1',
      { kind: 'Service', stack: 'app', name: 'web' },
      'Warning',
      'TaskFailed',
      'web.1 failed: exit code 3',
      { component: 'manager' },
      new Date('2026-12-06T02:59:18.000Z'),
    ),
    count: 4,
  };
  const done = newEvent(
    'service.web.2',
    { kind: 'Service', stack: 'app', name: 'web' },
    'Normal',
    'RolloutCompleted',
    'rollout aaaaaaaa → bbbbbbbb completed (1/1 updated)',
    { component: 'manager' },
    new Date('2026-12-06T02:55:00.000Z'),
  );
  expect(eventsSection([failed, done], now).split('\n')).toEqual([
    'Events:',
    '  LAST SEEN   TYPE      REASON             OBJECT            COUNT   MESSAGE',
    '  42s         Warning   TaskFailed         service/app_web   4       web.1 failed: exit code 3',
    '  5m          Normal    RolloutCompleted   service/app_web   1       rollout aaaaaaaa → bbbbbbbb completed (1/1 updated)',
    '',
  ]);
});
