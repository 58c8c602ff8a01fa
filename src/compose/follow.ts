// `up` and `logs -f`: stream the project's containers, and the ones that start later (a replaced
// container, a restart, a scaled-up replica), until `signal` aborts.
import { Subscription } from 'rxjs';
import type { DockerRuntime } from '../runtime/docker.js';
import { LABEL } from '../runtime/labels.js';
import { listProjectContainers, type ProjectContainer } from './containers.js';
import type { LogMux } from './log-mux.js';

/** `nodes`: this store's nodes (another store's agents may run a project of the same name on an
 *  engine); `current`: the current tasks, whose exited containers' output is shown too. */
export async function followProjectLogs(
  runtimes: DockerRuntime[],
  nodes: Set<string>,
  project: string,
  services: string[] | undefined,
  mux: LogMux,
  signal: AbortSignal,
  current?: Set<string>,
): Promise<void> {
  const wanted = services?.length ? new Set(services) : undefined;
  const since = new Date();
  const subs = new Subscription();
  for (const runtime of runtimes) {
    subs.add(
      runtime.events$({ labels: [`${LABEL.stack}=${project}`], since }).subscribe({
        next: (ev) => {
          if (ev.action !== 'start' || !ev.task || !nodes.has(ev.task.node) || (wanted && !wanted.has(ev.task.service))) return;
          const c = { id: ev.id, service: ev.task.service, index: ev.task.slot ?? 1, runtime } as ProjectContainer;
          // only what it wrote since this start: an earlier run's output was shown (or asked to be skipped)
          mux.add(c, Math.floor(Number(BigInt(ev.timeNano) / 1_000_000_000n)));
        },
        error: () => undefined,
      }),
    );
  }
  for (const c of await listProjectContainers(runtimes, project, { services, nodes, ...(current ? { all: true, tasks: current } : {}) })) mux.add(c);
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  subs.unsubscribe();
  mux.close();
}
