import { specHash } from '../../../src/orchestrator/spec-hash.js';
import { template } from './fixtures.js';

describe('specHash', () => {
  it('is 12 hex digits', () => {
    expect(specHash(template())).toMatch(/^[0-9a-f]{12}$/);
  });

  it('ignores key order', () => {
    const a = template({ environment: { A: '1', B: '2' } });
    const b = { ...template(), environment: { B: '2', A: '1' } };
    const reordered = Object.fromEntries(Object.entries(b).reverse()) as typeof b;
    expect(specHash(reordered)).toBe(specHash(a));
  });

  it.each([
    ['image', template({ image: 'app:2' })],
    ['environment', template({ environment: { A: '1' } })],
    ['command', template({ command: ['sh', '-c', 'true'] })],
    ['restart policy', template({ deploy: { restart_policy: { condition: 'none' } } })],
    ['placement', template({ deploy: { placement: { constraints: ['node.role==manager'] } } })],
    ['published ports', template({ ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }] })],
  ])('changes with %s', (_what, changed) => {
    expect(specHash(changed)).not.toBe(specHash(template()));
  });

  it.each([
    ['replicas', template({ deploy: { replicas: 7 } })],
    [
      'update_config',
      template({
        deploy: { update_config: { parallelism: 3, delay: '1s', failure_action: 'rollback', monitor: '1s', max_failure_ratio: 0, order: 'start-first' } },
      }),
    ],
    ['service labels', template({ deploy: { labels: { team: 'a' } } })],
    ['x-stackd', { ...template(), 'x-stackd': { progress_deadline: '1m' } }],
  ])('does not change with %s (scaling or tuning restarts nothing)', (_what, changed) => {
    expect(specHash(changed)).toBe(specHash(template()));
  });
});
