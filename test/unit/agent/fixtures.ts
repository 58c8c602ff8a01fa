// A task as the agent sees it, for the agent's pure planners' tests (plan-step, resync).
import type { Task } from '../../../src/api/objects.js';

export interface AgentTaskOptions {
  name?: string;
  healthcheck?: boolean;
  stopTimeoutSeconds?: number;
}

export function agentTask(desiredState: 'running' | 'stopped' | 'shutdown', o: AgentTaskOptions = {}): Task {
  const name = o.name ?? 't1';
  return {
    apiVersion: 'stackd.io/v1',
    kind: 'Task',
    metadata: { name, namespace: 's', uid: name, generation: 1, resourceVersion: '1', labels: {}, annotations: {}, creationTimestamp: '', ownerReferences: [] },
    spec: {
      stack: 's',
      service: 'web',
      slot: 1,
      nodeName: 'n1',
      desiredState,
      ...(o.stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds: o.stopTimeoutSeconds } : {}),
      specHash: 'h',
      template: {
        healthcheck: o.healthcheck ? { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 1, start_period: '0s' } : undefined,
      } as Task['spec']['template'],
    },
  };
}
