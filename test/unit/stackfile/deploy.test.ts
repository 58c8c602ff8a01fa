import type { DeploySpec } from '../../../src/stackfile/index.js';
import { load, web } from './helpers.js';

async function deploy(...lines: string[]): Promise<DeploySpec> {
  return (await load(web(...lines))).stack.services.web.deploy;
}

const updateDefaults = {
  parallelism: 1,
  delay: '0s',
  failure_action: 'pause',
  monitor: '5s',
  max_failure_ratio: 0,
  order: 'stop-first',
};

describe('deploy', () => {
  it("makes Swarm's engine defaults explicit", async () => {
    expect(await deploy()).toEqual({
      mode: 'replicated',
      replicas: 1,
      endpoint_mode: 'vip',
      labels: {},
      placement: { constraints: [], preferences: [] },
      resources: { limits: {}, reservations: {} },
      restart_policy: { condition: 'any', delay: '5s', max_attempts: 0, window: '0s' },
      update_config: updateDefaults,
      rollback_config: updateDefaults,
    });
  });

  it('reads every key', async () => {
    const d = await deploy(
      'deploy:',
      '  replicas: 3',
      '  endpoint_mode: dnsrr',
      '  labels: [tier=web]',
      '  placement:',
      '    constraints: [node.role == worker]',
      '    preferences:',
      '      - spread: node.labels.zone',
      '    max_replicas_per_node: 2',
      '  resources:',
      '    limits: {cpus: "0.5", memory: 512M, pids: 100}',
      '    reservations: {cpus: 0.25, memory: 1g}',
      '  restart_policy:',
      '    condition: on-failure',
      '    delay: 10s',
      '    max_attempts: 3',
      '    window: 2m',
      '  update_config:',
      '    parallelism: 2',
      '    delay: 10s',
      '    failure_action: rollback',
      '    monitor: 30s',
      '    max_failure_ratio: 0.1',
      '    order: start-first',
      '  rollback_config:',
      '    parallelism: 0',
      '    failure_action: continue',
    );
    expect(d).toEqual({
      mode: 'replicated',
      replicas: 3,
      endpoint_mode: 'dnsrr',
      labels: { tier: 'web' },
      placement: {
        constraints: ['node.role == worker'],
        preferences: [{ spread: 'node.labels.zone' }],
        max_replicas_per_node: 2,
      },
      resources: {
        limits: { cpus: 0.5, memory: 512 * 1024 ** 2, pids: 100 },
        reservations: { cpus: 0.25, memory: 1024 ** 3 },
      },
      restart_policy: { condition: 'on-failure', delay: '10s', max_attempts: 3, window: '2m' },
      update_config: {
        parallelism: 2,
        delay: '10s',
        failure_action: 'rollback',
        monitor: '30s',
        max_failure_ratio: 0.1,
        order: 'start-first',
      },
      rollback_config: { ...updateDefaults, parallelism: 0, failure_action: 'continue' },
    });
  });

  it('global mode: one task per node, replicas does not apply', async () => {
    const d = await deploy('deploy:', '  mode: global');
    expect(d.mode).toBe('global');
    expect(d.replicas).toBe(0);
  });

  it.each([
    ['no', { condition: 'none', max_attempts: 0 }],
    ['always', { condition: 'any', max_attempts: 0 }],
    ['unless-stopped', { condition: 'any', max_attempts: 0 }],
    ['on-failure', { condition: 'on-failure', max_attempts: 0 }],
    ['on-failure:4', { condition: 'on-failure', max_attempts: 4 }],
  ])('restart: %s folds into restart_policy', async (restart, expected) => {
    const s = (await load(web(`restart: "${restart}"`))).stack.services.web;
    expect(s.restart).toBe(restart);
    expect(s.deploy.restart_policy).toEqual({ delay: '5s', window: '0s', ...expected });
  });

  it('restart: no, unquoted, is the string "no" (YAML 1.2) and means condition none', async () => {
    const s = (await load(web('restart: no'))).stack.services.web;
    expect(s.deploy.restart_policy.condition).toBe('none');
  });

  it('restart: is not folded when deploy.restart_policy is given', async () => {
    const d = await deploy('restart: "no"', 'deploy:', '  restart_policy:', '    delay: 1s');
    expect(d.restart_policy).toEqual({ condition: 'any', delay: '1s', max_attempts: 0, window: '0s' });
  });
});
