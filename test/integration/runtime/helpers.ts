// Shared by the runtime's integration tests: a stack's worth of engine objects, cleaned up after.
import { filter, firstValueFrom, take, timeout, type Observable } from 'rxjs';
import type { Task } from '../../../src/api/objects.js';
import type { DockerRuntime } from '../../../src/runtime/docker.js';
import { containerCreateOptions, type ContainerContext } from '../../../src/runtime/docker-spec.js';
import type { ContainerEvent, ContainerFile, LogChunk } from '../../../src/runtime/types.js';

/** A stack name no other run uses, so parallel runs and leftovers never collide. */
export function uniqueStack(prefix: string): string {
  return `${prefix}${process.pid}${Math.floor(Math.random() * 1e4)}`;
}

/** What the agent does for a task: image, create, files, start. Returns the container id. */
export async function runTask(rt: DockerRuntime, task: Task, ctx: ContainerContext, files: ContainerFile[] = []): Promise<string> {
  const opts = containerCreateOptions(task, ctx);
  await rt.ensureImage(opts.Image!);
  const id = await rt.createContainer(opts);
  await rt.putFiles(id, files);
  await rt.start(id);
  return id;
}

/** The first event matching `pred` (a generous bound so a broken stream fails instead of hanging). */
export function nextEvent(events$: Observable<ContainerEvent>, pred: (e: ContainerEvent) => boolean, timeoutMs = 20_000): Promise<ContainerEvent> {
  return firstValueFrom(events$.pipe(filter(pred), take(1), timeout(timeoutMs)));
}

export async function collectLogs(chunks: AsyncIterable<LogChunk>): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  for await (const c of chunks) out[c.stream] += c.data.toString();
  return out;
}

/** Removes every container, network and volume stackd made for the stack. */
export async function cleanupStack(rt: DockerRuntime, stack: string): Promise<void> {
  for (const c of await rt.listManaged({ stack })) await rt.remove(c.id);
  const { networks, volumes } = await rt.listManagedResources(stack);
  for (const n of networks) await rt.removeNetwork(n.name);
  for (const v of volumes) await rt.removeVolume(v.name);
}
