// Config and secret versions nobody uses are deleted: a version is in use while a service's
// template, one of its kept revisions, or any task (history included) refers to it.
import { filter, map, merge } from 'rxjs';
import type { Config, Secret, Service, Task } from '../api/objects.js';
import { Controller } from '../controller/controller.js';
import { deleteOp } from '../client/materialize.js';
import { listObjects } from '../client/objects.js';
import type { Informer } from '../controller/informer.js';
import { versionedName } from '../stacks/desired.js';
import type { ServiceSpec } from '../stackfile/types.js';
import type { Store } from '../store/store.js';
import type { ManagerCaches } from './caches.js';

const KEY = 'cluster';
const VERSIONED = /-[0-9a-f]{12}$/;

/** "Config/<stack>/<versioned name>" for every version a template refers to. */
function references(stack: string, t: ServiceSpec): string[] {
  return [
    ...t.configs.map((r) => `Config/${stack}/${versionedName(r.source, r.version)}`),
    ...t.secrets.map((r) => `Secret/${stack}/${versionedName(r.source, r.version)}`),
  ];
}

/** The versions to delete. Pure. */
export function unusedFileVersions(files: (Config | Secret)[], services: Service[], tasks: Task[]): (Config | Secret)[] {
  const used = new Set<string>();
  for (const s of services) {
    for (const t of [s.spec.template, ...(s.status?.revisions ?? []).map((r) => r.template)]) {
      for (const ref of references(s.metadata.namespace, t)) used.add(ref);
    }
  }
  for (const t of tasks) for (const ref of references(t.metadata.namespace, t.spec.template)) used.add(ref);
  // only versioned objects are collected (their name carries the content hash)
  return files.filter((f) => VERSIONED.test(f.metadata.name) && !used.has(`${f.kind}/${f.metadata.namespace}/${f.metadata.name}`));
}

/** Triggered by changes seen in the caches; decides on a fresh read. */
export function fileGcController(store: Store, caches: ManagerCaches, files: Informer<Config | Secret>[], log: (msg: string) => void): Controller {
  return new Controller({
    name: 'file-gc',
    // a task refers only to what its service did: only its deletion can free a version
    keys$: merge(caches.services.changes$, caches.tasks.changes$.pipe(filter((c) => c.type === 'delete')), ...files.map((f) => f.changes$)).pipe(map(() => KEY)),
    allKeys: () => [KEY],
    reconcile: async () => {
      // read from the Store, files first: a version and the service using it are written in one
      // transaction, so a service read after the version was seen always shows the reference
      // (the informer caches may lag one another)
      const [configs, secrets] = await Promise.all([listObjects<Config>(store, 'Config'), listObjects<Secret>(store, 'Secret')]);
      // nothing to collect: spare the read of every task (100,000 of them at scale)
      if (![...configs.items, ...secrets.items].some((f) => VERSIONED.test(f.metadata.name))) return;
      const [services, tasks] = await Promise.all([listObjects<Service>(store, 'Service'), listObjects<Task>(store, 'Task')]);
      const unused = unusedFileVersions([...configs.items, ...secrets.items], services.items, tasks.items);
      if (unused.length === 0) return;
      const res = await store.txn(unused.map(deleteOp));
      if (!res.succeeded) throw new Error('a config or secret version changed while it was collected');
      for (const f of unused) log(`deleted unused ${f.kind.toLowerCase()} version ${f.metadata.namespace}_${f.metadata.name}`);
      // no wait for the caches: each reconcile decides on a fresh read
    },
    resyncMs: 60_000,
    log,
  });
}
