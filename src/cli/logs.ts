// `service logs`: each task's container output, read from the engine of the node it ran on, with
// docker's prefix `stack_service.slot.id@node | `. Engines are reached at the address their agent
// recorded (Node.status.dockerEndpoint), so this works where the CLI can reach them.
import type { Node, Service, Task } from '../api/objects.js';
import { getObject, listObjects } from '../client/objects.js';
import { DockerRuntime } from '../runtime/docker.js';
import type { Store } from '../store/store.js';
import { sortTasks, taskDisplayName } from '../views/rows.js';

export interface ServiceLogOptions {
  follow: boolean;
  tail?: number;
  timestamps: boolean;
}

/** Writes whole lines, each with the task's prefix; a partial line waits for its end. */
function lineWriter(prefix: string): { write(data: Buffer): void; end(): void } {
  let rest = '';
  return {
    write(data) {
      const text = rest + data.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    },
    end() {
      if (rest) process.stdout.write(`${prefix}${rest}\n`);
      rest = '';
    },
  };
}

export async function streamServiceLogs(store: Store, svc: Service, opts: ServiceLogOptions): Promise<void> {
  const { items } = await listObjects<Task>(store, 'Task', svc.metadata.namespace);
  const tasks = sortTasks(items.filter((t) => t.spec.service === svc.metadata.name && t.status?.containerId && t.spec.nodeName)).reverse();
  const nodes = new Map<string, Node | undefined>();
  for (const t of tasks) if (!nodes.has(t.spec.nodeName!)) nodes.set(t.spec.nodeName!, await getObject<Node>(store, 'Node', '', t.spec.nodeName!));

  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  await Promise.all(
    tasks.map(async (t) => {
      const endpoint = nodes.get(t.spec.nodeName!)?.status?.dockerEndpoint;
      const runtime = DockerRuntime.connect(endpoint);
      const out = lineWriter(`${taskDisplayName(t)}.${t.metadata.name}@${t.spec.nodeName}    | `);
      try {
        for await (const chunk of runtime.logs(t.status!.containerId!, { follow: opts.follow, tail: opts.tail, timestamps: opts.timestamps, signal: stop.signal })) {
          out.write(chunk.data);
        }
      } catch (err) {
        if (!stop.signal.aborted) process.stderr.write(`${taskDisplayName(t)}: ${(err as Error).message}\n`);
      } finally {
        out.end();
      }
    }),
  );
}
