// The console's actions, each one of stackctl's write paths (src/actions, gitops/request).
import { undoService } from '../actions/service-write.js';
import { scaleService, setRolloutPaused } from '../actions/service-actions.js';
import { updateNodeSpec } from '../actions/node-write.js';
import { requestSync } from '../gitops/request.js';
import type { Store } from '../store/store.js';

export interface ActionRequest {
  action: 'scale' | 'pause' | 'resume' | 'undo' | 'availability' | 'sync';
  /** STACK_SERVICE, a node or a GitSource name */
  target: string;
  replicas?: number;
  availability?: 'active' | 'pause' | 'drain';
}

/** An error message for a malformed request, else undefined. Pure. */
export function checkAction(r: ActionRequest): string | undefined {
  if (typeof r?.target !== 'string' || r.target === '') return 'target is required';
  if (r.action === 'scale' && !(Number.isInteger(r.replicas) && (r.replicas as number) >= 0)) return 'replicas must be a whole number >= 0';
  if (r.action === 'availability' && !['active', 'pause', 'drain'].includes(r.availability ?? '')) return 'availability must be active, pause or drain';
  if (!['scale', 'pause', 'resume', 'undo', 'availability', 'sync'].includes(r.action)) return `unknown action ${r.action}`;
  return undefined;
}

export async function runAction(store: Store, r: ActionRequest): Promise<string> {
  switch (r.action) {
    case 'scale':
      await scaleService(store, r.target, r.replicas as number);
      return `${r.target} scaled to ${r.replicas}`;
    case 'pause':
    case 'resume':
      await setRolloutPaused(store, r.target, r.action === 'pause');
      return `${r.target} ${r.action}d`;
    case 'undo':
      return `${r.target} back to revision ${(await undoService(store, r.target)).revision}`;
    case 'availability':
      await updateNodeSpec(store, r.target, (spec) => ({ ...spec, availability: r.availability as 'active' }));
      return `${r.target} is ${r.availability}`;
    case 'sync':
      await requestSync(store, r.target);
      return `sync of ${r.target} requested`;
  }
}
