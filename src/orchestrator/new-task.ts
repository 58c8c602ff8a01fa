// A new task object for a service: the orchestrators' only way to make one.
import { API_VERSION } from '../api/meta.js';
import type { Service, Task, TaskRestartRecord } from '../api/objects.js';
import { specHash } from './spec-hash.js';

export const PENDING_MESSAGE = 'pending task scheduling';

export interface NewTaskOptions {
  slot?: number;
  nodeName?: string;
  restart?: TaskRestartRecord;
}

/** Labels every task carries, so tasks of one service can be listed or selected. */
export function taskLabels(service: Service): Record<string, string> {
  return { 'io.stackd.stack': service.spec.stack, 'io.stackd.service': service.metadata.name };
}

/** A task in state pending (dependency gating may turn it to new: see plan-service.ts), owned by the service. */
export function newTask(service: Service, id: string, now: Date, opts: NewTaskOptions): Task {
  const timestamp = now.toISOString();
  const template = service.spec.template;
  return {
    apiVersion: API_VERSION,
    kind: 'Task',
    metadata: {
      name: id,
      namespace: service.metadata.namespace,
      uid: id,
      generation: 1,
      resourceVersion: '',
      labels: taskLabels(service),
      annotations: {},
      creationTimestamp: timestamp,
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'Service', name: service.metadata.name, uid: service.metadata.uid, controller: true }],
    },
    spec: {
      stack: service.spec.stack,
      service: service.metadata.name,
      ...(opts.slot !== undefined ? { slot: opts.slot } : {}),
      ...(opts.nodeName !== undefined ? { nodeName: opts.nodeName } : {}),
      desiredState: 'running',
      specHash: specHash(template),
      template,
      restart: opts.restart ?? { attempt: 0, history: [] },
    },
    status: { state: 'pending', timestamp, message: PENDING_MESSAGE },
  };
}
