// A project's containers as the engines see them (what `ps`, `logs` and `exec` work on): found by
// stackd's stack label on every engine the nodes recorded.
import type { DockerRuntime } from '../runtime/docker.js';
import { LABEL, ownerOf } from '../runtime/labels.js';

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  /** the replica number (1 for a global service's container on its node) */
  index: number;
  node: string;
  image: string;
  command: string;
  /** seconds since the epoch */
  created: number;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  /** "Up 3 seconds (healthy)", "Exited (0) 2 seconds ago" */
  status: string;
  ports: string;
  runtime: DockerRuntime;
}

interface EnginePort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** Docker's PORTS column: `0.0.0.0:8088->80/tcp, 443/tcp`. Pure. */
export function formatPorts(ports: EnginePort[]): string {
  const seen = new Set<string>();
  return [...ports]
    .sort((a, b) => a.PrivatePort - b.PrivatePort || (a.PublicPort ?? 0) - (b.PublicPort ?? 0))
    .map((p) => (p.PublicPort ? `${p.IP ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`))
    .filter((s) => {
      if (seen.has(s)) return false;
      seen.add(s);
      return true;
    })
    .join(', ');
}

/** The project's containers on these engines (running only unless `all`), sorted by service and
 *  index; with `tasks`, only those of these task ids (the current ones: not the history kept); with
 *  `nodes`, only those of these nodes (another store's agents may run a stack of the same name); with
 *  `cluster`, not another cluster's (same node and stack names on a shared engine). */
export async function listProjectContainers(
  runtimes: DockerRuntime[],
  project: string,
  opts: { all?: boolean; services?: string[]; tasks?: Set<string>; nodes?: Set<string>; cluster?: string } = {},
): Promise<ProjectContainer[]> {
  const lists = await Promise.all(
    runtimes.map(async (runtime) => {
      const list = await runtime.docker.listContainers({ all: opts.all ?? false, filters: { label: [`${LABEL.stack}=${project}`, LABEL.task] } });
      return list
        .filter((c) => (!opts.tasks || opts.tasks.has(c.Labels[LABEL.task])) && (!opts.nodes || opts.nodes.has(c.Labels[LABEL.node])))
        .filter((c) => opts.cluster === undefined || ownerOf(c.Labels, opts.cluster) !== 'other')
        .map(
          (c): ProjectContainer => ({
            id: c.Id,
            name: (c.Names[0] ?? '').replace(/^\//, ''),
            service: c.Labels[LABEL.service],
            index: Number(c.Labels[LABEL.slot] ?? 1) || 1,
            node: c.Labels[LABEL.node] ?? '',
            image: c.Image,
            command: c.Command,
            created: c.Created,
            state: c.State,
            status: c.Status,
            ports: formatPorts(c.Ports as EnginePort[]),
            runtime,
          }),
        );
    }),
  );
  const wanted = opts.services?.length ? new Set(opts.services) : undefined;
  return lists
    .flat()
    .filter((c) => !wanted || wanted.has(c.service))
    .sort((a, b) => a.service.localeCompare(b.service) || a.index - b.index || a.created - b.created);
}
