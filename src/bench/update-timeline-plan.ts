// bench:update's per-batch timeline of a stackd rolling update, from the tasks it leaves behind
// (pure). Tasks keep only their last status time, so per batch of slots (in the order their new
// tasks were made): when its first new task was made (the manager's decision: stop-first makes
// the new task at once and the agent starts it once the old one stopped), when the last old task
// of the batch reported stopped, when the last new one reported running. From these: `wait` (since
// the previous batch ran: its monitor and the manager's next decision; since the update's start for
// the first), `stop` and `start` (health included when there is a healthcheck).
import type { Task } from '../api/objects.js';

export interface BatchRow {
  slots: number[];
  /** seconds since the update started */
  oldStopped: number;
  created: number;
  running: number;
}

const at = (iso: string | undefined, t0: number) => (iso ? (Date.parse(iso) - t0) / 1000 : Number.NaN);

/** @param isNew a task of the update's target revision */
export function updateTimeline(tasks: Task[], t0Ms: number, isNew: (t: Task) => boolean, parallelism: number): BatchRow[] {
  const fresh = tasks.filter((t) => isNew(t) && t.spec.desiredState === 'running' && Date.parse(t.metadata.creationTimestamp) >= t0Ms);
  fresh.sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp) || (a.spec.slot ?? 0) - (b.spec.slot ?? 0));
  const rows: BatchRow[] = [];
  for (let i = 0; i < fresh.length; i += Math.max(1, parallelism)) {
    const batch = fresh.slice(i, i + Math.max(1, parallelism));
    const slots = batch.map((t) => t.spec.slot ?? 0);
    const old = tasks.filter((t) => !isNew(t) && slots.includes(t.spec.slot ?? -1) && t.spec.desiredState !== 'running');
    rows.push({
      slots,
      oldStopped: Math.max(...old.map((t) => at(t.status?.timestamp, t0Ms))),
      created: Math.min(...batch.map((t) => at(t.metadata.creationTimestamp, t0Ms))),
      running: Math.max(...batch.map((t) => at(t.status?.timestamp, t0Ms))),
    });
  }
  return rows;
}

export function formatTimeline(rows: BatchRow[]): string[] {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
  const lines = ['batch  slots            created  old stopped  running      wait    stop   start'];
  rows.forEach((r, i) => {
    const prev = i === 0 ? 0 : rows[i - 1].running;
    lines.push(
      `${String(i + 1).padEnd(6)} ${r.slots.join(',').padEnd(16)} ${f(r.created).padStart(7)} ${f(r.oldStopped).padStart(12)} ${f(r.running).padStart(8)}  ${f(r.created - prev).padStart(8)} ${f(r.oldStopped - r.created).padStart(7)} ${f(r.running - r.oldStopped).padStart(7)}`,
    );
  });
  return lines;
}
