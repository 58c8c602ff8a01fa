import type { ServiceRevision } from '../../../src/api/objects.js';
import { describeChange, planRevisions, templateOf, undoTarget } from '../../../src/orchestrator/revisions.js';
import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { at, iso, service, task, template } from './fixtures.js';

const app = (image: string, replicas = 2) => template({ image, deploy: { replicas } });

/** Deploy these templates one after the other; the history after each. */
function deployAll(templates: ReturnType<typeof template>[], limit?: number): ServiceRevision[] {
  let history: ServiceRevision[] = [];
  for (const [i, t] of templates.entries()) history = planRevisions(history, t, at(i), limit).revisions;
  return history;
}
const view = (history: ServiceRevision[]) => history.map((r) => `${r.revision}:${r.template.image}`);

describe('planRevisions', () => {
  it.each([
    { name: 'the first deploy makes revision 1', deploys: ['app:1'], history: ['1:app:1'] },
    { name: 'a new image makes a revision, newest first', deploys: ['app:1', 'app:2'], history: ['2:app:2', '1:app:1'] },
    { name: 'an identical deploy makes none', deploys: ['app:1', 'app:1', 'app:1'], history: ['1:app:1'] },
    { name: 'back to an earlier template: it moves to the top with a new number', deploys: ['app:1', 'app:2', 'app:1'], history: ['3:app:1', '2:app:2'] },
    { name: 'numbers keep growing through moves', deploys: ['app:1', 'app:2', 'app:3', 'app:1', 'app:2'], history: ['5:app:2', '4:app:1', '3:app:3'] },
  ])('$name', ({ deploys, history }) => {
    expect(view(deployAll(deploys.map((d) => app(d))))).toEqual(history);
  });

  it('scaling, tuning the update or x-stackd makes no revision and returns the same history', () => {
    const history = deployAll([app('app:1', 2)]);
    const scaled = template({
      image: 'app:1',
      deploy: {
        replicas: 9,
        update_config: { parallelism: 4, delay: '1s', failure_action: 'rollback', monitor: '1s', max_failure_ratio: 0.2, order: 'start-first' },
      },
      'x-stackd': { progress_deadline: '1m' },
    });
    const plan = planRevisions(history, scaled, at(5));
    expect(plan.changed).toBe(false);
    expect(plan.revisions).toBe(history);
    expect(plan.current).toBe(history[0]);
  });

  it('keeps the last `limit` revisions (10 by default)', () => {
    const images = Array.from({ length: 14 }, (_, i) => app(`app:${i + 1}`));
    expect(deployAll(images)).toHaveLength(10);
    expect(view(deployAll(images, 3))).toEqual(['14:app:14', '13:app:13', '12:app:12']);
  });

  it('a new revision records its time, hash, template and what changed', () => {
    const [current] = deployAll([app('app:1'), template({ image: 'app:2', environment: { LOG: 'debug' } })]);
    expect(current).toEqual({
      revision: 2,
      hash: specHash(template({ image: 'app:2', environment: { LOG: 'debug' } })),
      template: template({ image: 'app:2', environment: { LOG: 'debug' } }),
      createdAt: iso(1),
      change: 'environment (LOG); image: app:1 → app:2',
    });
  });
});

describe('describeChange', () => {
  it.each([
    { name: 'image', from: { image: 'app:1' }, to: { image: 'app:2' }, change: 'image: app:1 → app:2' },
    { name: 'a value set', from: {}, to: { user: 'nobody' }, change: 'user: (none) → nobody' },
    { name: 'environment, by variable', from: { environment: { A: '1', B: '2' } }, to: { environment: { A: '1', B: '3', C: '4' } }, change: 'environment (B, C)' },
    { name: 'a list', from: { command: ['a'] }, to: { command: ['b'] }, change: 'command' },
    { name: 'deploy, by key', from: {}, to: { deploy: { resources: { limits: { memory: 1 }, reservations: {} } } }, change: 'deploy (resources)' },
    { name: 'only the replicas: no change in the task template', from: {}, to: { deploy: { replicas: 5 } }, change: 'no change in the task template' },
  ])('$name', ({ from, to, change }) => {
    expect(describeChange(template(from), template(to))).toBe(change);
  });
});

describe('templateOf and undoTarget', () => {
  const history = deployAll([app('app:1'), app('app:2'), app('app:3')]);

  it('finds a template in the history, else in a task that ran it', () => {
    expect(templateOf(specHash(app('app:2')), history, [])?.image).toBe('app:2');
    const svc = service('web', { image: 'app:0' });
    expect(templateOf(specHash(app('app:0', 1)), history, [task(svc, 't', { slot: 1 })])?.image).toBe('app:0');
    expect(templateOf('feedfeedfeed', history, [])).toBeUndefined();
  });

  it.each([
    { name: 'the previous revision by default', to: undefined, result: { ok: true, revision: 2, image: 'app:2' } },
    { name: 'a given revision', to: 1, result: { ok: true, revision: 1, image: 'app:1' } },
    { name: 'a revision not kept', to: 7, result: { ok: false, error: 'service web has no revision 7 (kept: 3, 2, 1)' } },
    { name: 'the current revision', to: 3, result: { ok: false, error: 'service web already runs revision 3' } },
  ])('$name', ({ to, result }) => {
    const current = app('app:3', 6);
    const undo = undoTarget('web', history, current, to);
    if (!undo.ok) expect(undo).toEqual(result);
    else {
      expect({ ok: true, revision: undo.revision.revision, image: undo.template.image }).toEqual(result);
      expect(undo.template.deploy.replicas).toBe(6); // going back does not undo a scale
    }
  });

  it('no previous revision', () => {
    expect(undoTarget('web', deployAll([app('app:1')]), app('app:1'))).toEqual({ ok: false, error: 'service web has no previous revision' });
  });
});
