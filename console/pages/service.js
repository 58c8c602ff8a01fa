// One service: its rollout's progress (live), tasks per node, revision history, its events and
// the actions on it (scale, pause/resume/undo a rollout), each asking for confirmation.
import { db, indexes, useFeed } from '../state.js';
import { ago, Bar, confirmAction, html, ports } from '../ui.js';
import { EventTable } from './events.js';

function Rollout({ update }) {
  if (!update) return html`<p class="muted" data-testid="rollout">No rollout yet.</p>`;
  return html`<div class=${`rollout ${update.state}`} data-testid="rollout" data-state=${update.state}>
    <${Bar} value=${update.updated} max=${update.total} label=${`${update.updated}/${update.total} updated`} testid="rollout-bar" />
    <span> ${update.state}</span> <span class="muted">${update.message}</span>
    <div class="muted">revision ${update.fromRevision} → ${update.toRevision}, started ${ago(update.startedAt)}${update.failures ? `, ${update.failures} failures` : ''}</div>
  </div>`;
}

function TasksByNode({ tasks }) {
  const byNode = new Map();
  for (const t of tasks) {
    const n = t.spec.nodeName ?? '(unassigned)';
    if (!byNode.has(n)) byNode.set(n, []);
    byNode.get(n).push(t);
  }
  const order = (t) => (t.spec.desiredState === 'running' ? 0 : 1);
  return [...byNode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([node, list]) => html`<h3>${node}</h3><table data-node=${node}>
        <thead><tr><th>Task</th><th>Image</th><th>Desired</th><th>State</th><th>Since</th><th>Container</th><th>Error</th></tr></thead>
        <tbody>${list
          .sort((a, b) => order(a) - order(b) || (a.spec.slot ?? 0) - (b.spec.slot ?? 0) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))
          .map(
            (
              t,
            ) => html`<tr key=${t.metadata.name} class=${t.spec.desiredState === 'running' ? '' : 'old'} data-task=${t.metadata.name} data-state=${t.status?.state ?? 'new'}>
              <td class="mono">${t.spec.service}.${t.spec.slot ?? node}</td><td class="mono">${t.spec.template.image}</td><td>${t.spec.desiredState}</td>
              <td class=${`state ${t.status?.state ?? 'new'}`}>${t.status?.state ?? 'new'}</td><td>${ago(t.status?.timestamp)}</td>
              <td class="mono">${(t.status?.containerId ?? '').slice(0, 12)}</td><td class="warn">${t.status?.error ?? ''}</td>
            </tr>`,
          )}</tbody></table>`,
    );
}

export function ServicePage({ stack, name }) {
  useFeed();
  const s = db.services.get(`/stackd/services/${stack}/${name}`);
  if (!s) return html`<p class="empty">No service ${name} in stack ${stack}.</p>`;
  const { tasksByService, events } = indexes();
  const tasks = tasksByService.get(`${stack}/${name}`) ?? [];
  const taskNames = new Set(tasks.map((t) => t.metadata.name));
  const mine = events.filter(
    (e) =>
      e.involvedObject.stack === stack &&
      ((e.involvedObject.kind === 'Service' && e.involvedObject.name === name) || (e.involvedObject.kind === 'Task' && taskNames.has(e.involvedObject.name))),
  );
  const id = `${stack}_${name}`;
  const r = s.status?.replicas ?? { desired: 0, running: 0 };
  const update = s.status?.update;
  const revisions = [...(s.status?.revisions ?? [])].sort((a, b) => b.revision - a.revision);
  return html`<h1><a class="crumb" href="#/">${stack}</a> / ${name}</h1>
    <p>
      <${Bar} value=${r.running} max=${r.desired} label=${`${r.running}/${r.desired} running`} testid="replicas" />
      <span class="mono"> ${s.spec.template.image}</span> <span class="mono muted">${ports(s.spec.template)}</span>
    </p>
    <div class="actions">
      <button data-action="scale" onClick=${() => confirmAction(`Scale ${id}?`, { action: 'scale', target: id }, { name: 'replicas', label: 'Replicas', value: r.desired })}>Scale…</button>
      <button data-action="pause" onClick=${() => confirmAction(`Pause the rollout of ${id}?`, { action: 'pause', target: id })}>Pause rollout</button>
      <button data-action="resume" onClick=${() => confirmAction(`Resume the rollout of ${id}?`, { action: 'resume', target: id })}>Resume rollout</button>
      <button data-action="undo" onClick=${() => confirmAction(`Roll ${id} back to its previous revision?`, { action: 'undo', target: id })}>Undo</button>
    </div>
    <h2>Rollout</h2>
    <${Rollout} update=${update} />
    <h2>Tasks by node</h2>
    <${TasksByNode} tasks=${tasks} />
    <h2>Revisions</h2>
    <table><thead><tr><th>Revision</th><th>Image</th><th>Change</th><th>Created</th></tr></thead>
      <tbody>${revisions.map((v) => html`<tr key=${v.revision}><td>${v.revision}</td><td class="mono">${v.template?.image}</td><td>${v.change}</td><td>${ago(v.createdAt)}</td></tr>`)}</tbody>
    </table>
    <h2>Events</h2>
    <${EventTable} events=${mine.slice(0, 50)} />`;
}
