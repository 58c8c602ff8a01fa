// When `up` may return, as the orchestrator's judge sees it: `-d` once every container of the
// services it started has been started (Compose: a one-shot job may still be running), `--wait`
// once they run and are healthy (one-shot jobs completed). Here only Compose's words. Pure.
import type { Service, Task } from '../api/objects.js';
import { judgeService } from '../orchestrator/convergence.js';

export type UpMode = 'started' | 'healthy';

export interface ContainerLine {
  /** `web-1` */
  name: string;
  /** Compose's words: Created, Starting, Started, Healthy, Exited, Error */
  state: string;
}

export interface UpProgress {
  done: boolean;
  /** one line per failure waiting will not fix */
  errors: string[];
  containers: ContainerLine[];
}

function word(t: Task): string {
  const state = t.status?.state ?? 'new';
  if (state === 'running') return t.status?.health === 'healthy' ? 'Healthy' : 'Started';
  if (state === 'complete') return 'Exited';
  if (state === 'failed' || state === 'rejected') return 'Error';
  if (state === 'starting') return 'Starting';
  return 'Waiting';
}

/** @param since when `up` wrote the project: rollouts started since then that pause or roll back fail it */
export function upProgress(services: Service[], tasks: Task[], targets: string[], mode: UpMode, since: Date): UpProgress {
  const errors: string[] = [];
  const containers: ContainerLine[] = [];
  let done = true;
  for (const name of targets) {
    const svc = services.find((s) => s.metadata.name === name);
    if (!svc) {
      done = false;
      continue;
    }
    const j = judgeService(svc, tasks, { goal: mode, since });
    for (const task of j.current) containers.push({ name: `${name}-${task.spec.slot ?? 1}`, state: word(task) });
    if (j.error) errors.push(`${name}: ${j.error}`);
    if (!j.done) done = false;
  }
  return { done: done && errors.length === 0, errors, containers };
}
