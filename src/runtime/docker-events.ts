// The engine's event stream as an endless Observable of managed containers' events. Reconnects
// with backoff (1 s doubling to 30 s) and resumes from the last event it saw, so a dockerd restart
// or a dropped socket loses nothing and repeats nothing.
import type Dockerode from 'dockerode';
import { defer, Observable, retry, timer } from 'rxjs';
import { reconnectBackoff, type Backoff } from '../controller/backoff.js';
import { DockerError, dockerError } from './docker-errors.js';
import { JsonStreamParser } from './json-stream.js';
import { LABEL, taskRefFromLabels } from './labels.js';
import type { ContainerEvent } from './types.js';

export interface EventsOptions {
  /** only containers with these labels (k or k=v); stackd's task label is always required */
  labels?: string[];
  /** replay events from this time on (e.g. the time of the list the caller is reconciling from),
   *  so none falls between a list and the stream's start */
  since?: Date;
  backoff?: Backoff;
  /** told of every lost connection, before waiting `delayMs` */
  onDisconnect?: (err: DockerError, attempt: number, delayMs: number) => void;
}

// Healthchecks run as execs: without an `event` filter every probe would be three events.
const ACTIONS = ['create', 'start', 'die', 'stop', 'kill', 'oom', 'destroy', 'health_status', 'pause', 'unpause', 'restart'];
// Attributes the engine adds beside the container's labels.
const NOT_LABELS = new Set(['image', 'name', 'exitCode', 'signal']);

type Destroyable = NodeJS.ReadableStream & { destroy?: () => void };

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number | string;
}

export function containerEvents$(docker: Dockerode, endpoint: string, opts: EventsOptions = {}): Observable<ContainerEvent> {
  const filters = { type: ['container'], event: ACTIONS, label: [LABEL.task, ...(opts.labels ?? [])] };
  // one resume point per subscriber, kept across its reconnections (two subscribers of one stream
  // sharing it would each drop the events the other saw first)
  return defer(() => subscriberEvents$(docker, endpoint, filters, new ResumePoint(opts.since), opts));
}

function subscriberEvents$(docker: Dockerode, endpoint: string, filters: object, resume: ResumePoint, opts: EventsOptions): Observable<ContainerEvent> {
  const connection$ = new Observable<ContainerEvent>((subscriber) => {
    let stream: Destroyable | undefined;
    let closed = false;
    const lost = (err: unknown) => {
      if (!closed) subscriber.error(dockerError(err, endpoint, 'event stream'));
      closed = true;
    };
    docker.getEvents({ filters, ...(resume.since ? { since: resume.since } : {}) } as Dockerode.GetEventsOptions).then((s: Destroyable) => {
      stream = s;
      if (closed) return s.destroy?.();
      const parser = new JsonStreamParser();
      s.on('data', (chunk: Buffer) => {
        for (const raw of parser.push(chunk) as EngineEvent[]) {
          const ev = toContainerEvent(raw);
          if (ev && resume.isNew(ev)) subscriber.next(ev);
        }
      });
      s.on('end', () => lost(new DockerError('the event stream ended')));
      s.on('close', () => lost(new DockerError('the event stream closed')));
      s.on('error', lost);
    }, lost);
    return () => {
      closed = true;
      stream?.destroy?.();
    };
  });
  const backoff = opts.backoff ?? reconnectBackoff;
  return connection$.pipe(
    retry({
      resetOnSuccess: true,
      delay: (err: DockerError, attempt) => {
        const delayMs = backoff.delayMs(attempt);
        opts.onDisconnect?.(err, attempt, delayMs);
        return timer(delayMs);
      },
    }),
  );
}

/** The engine's event → ours; undefined for anything that is not a container's. */
export function toContainerEvent(raw: EngineEvent): ContainerEvent | undefined {
  if (raw.Type !== 'container' || !raw.Action || !raw.Actor?.ID) return undefined;
  const attrs = raw.Actor.Attributes ?? {};
  const labels = Object.fromEntries(Object.entries(attrs).filter(([k]) => !NOT_LABELS.has(k)));
  const exitCode = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
  return {
    id: raw.Actor.ID,
    action: raw.Action,
    ...(exitCode !== undefined ? { exitCode } : {}),
    labels,
    task: taskRefFromLabels(labels),
    timeNano: String(raw.timeNano ?? 0),
  };
}

/** Where to resume after a reconnect: the engine replays from `since` (seconds with nanoseconds),
 *  and what was already seen is skipped. JSON numbers lose timeNano's last digits (beyond 2^53), so
 *  `since` starts a microsecond early and events older than the last seen are dropped. */
class ResumePoint {
  private last: bigint;
  private seenAtLast = new Set<string>();

  constructor(since?: Date) {
    this.last = since ? BigInt(since.getTime()) * 1_000_000n : 0n;
  }

  get since(): string | undefined {
    if (this.last === 0n) return undefined;
    const s = (this.last - 1000n).toString().padStart(10, '0');
    return `${s.slice(0, -9) || '0'}.${s.slice(-9)}`;
  }

  isNew(ev: ContainerEvent): boolean {
    const t = BigInt(ev.timeNano);
    const key = `${ev.id} ${ev.action}`;
    if (t < this.last || (t === this.last && this.seenAtLast.has(key))) return false;
    if (t > this.last) {
      this.last = t;
      this.seenAtLast = new Set();
    }
    this.seenAtLast.add(key);
    return true;
  }
}
