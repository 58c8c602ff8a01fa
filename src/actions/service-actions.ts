// The service changes an operator makes by hand, shared by stackctl and the web console so both
// write the same thing: scale, and pause/resume of a rolling update.
import type { Service } from '../api/objects.js';
import { CommandError } from '../errors.js';
import { PAUSED_ANNOTATION, RESUME_ANNOTATION } from '../orchestrator/update-state.js';
import type { Store } from '../store/store.js';
import { updateService } from './service-write.js';

/** `service scale NAME=N`: replicated services only. */
export function scaleService(store: Store, name: string, replicas: number): Promise<Service> {
  return updateService(store, name, (svc) => {
    if (svc.spec.template.deploy.mode !== 'replicated') throw new CommandError(`${name}: scale can only be used with replicated mode`);
    return { ...svc, spec: { ...svc.spec, template: { ...svc.spec.template, deploy: { ...svc.spec.template.deploy, replicas } } } };
  });
}

/** `rollout pause|resume NAME`: an annotation the orchestrator reads (metadata only, no new generation). */
export function setRolloutPaused(store: Store, name: string, paused: boolean): Promise<Service> {
  return updateService(store, name, (svc: Service) => {
    const annotations = { ...svc.metadata.annotations };
    if (paused) annotations[PAUSED_ANNOTATION] = 'true';
    else {
      delete annotations[PAUSED_ANNOTATION];
      // a pause caused by failures resumes when the annotation names that pause
      if (svc.status?.update?.pausedAt) annotations[RESUME_ANNOTATION] = svc.status.update.pausedAt;
    }
    return { ...svc, metadata: { ...svc.metadata, annotations } };
  });
}
