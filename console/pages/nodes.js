// Nodes: state, availability (drain/activate with confirmation), resources reserved by the tasks
// holding the node (the scheduler's count) against what the engine has, and the tasks.
import { db, indexes, useFeed } from '../state.js';
import { Bar, confirmAction, html } from '../ui.js';

const gib = (b) => `${(b / 2 ** 30).toFixed(1)} GiB`;

export function NodesPage() {
  useFeed();
  const { tasksByNode } = indexes();
  const nodes = [...db.nodes.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (nodes.length === 0) return html`<p class="empty">No nodes yet.</p>`;
  return html`<h1>Nodes</h1>
    <table>
      <thead><tr><th>Node</th><th>Role</th><th>State</th><th>Availability</th><th>CPUs reserved</th><th>Memory reserved</th><th>Tasks</th><th></th></tr></thead>
      <tbody>${nodes.map((n) => {
        const name = n.metadata.name;
        const held = (tasksByNode.get(name) ?? []).filter((t) => t.occupies);
        const cpus = held.reduce((sum, t) => sum + (t.spec.template.reservations?.cpus ?? 0), 0);
        const memory = held.reduce((sum, t) => sum + (t.spec.template.reservations?.memory ?? 0), 0);
        const running = held.filter((t) => t.spec.desiredState === 'running');
        const availability = n.spec.availability;
        const next = availability === 'drain' ? 'active' : 'drain';
        return html`<tr key=${name} data-node=${name}>
          <td>${name}</td><td>${n.spec.role}</td><td class=${`state ${n.status?.state}`}>${n.status?.state ?? 'unknown'}</td>
          <td data-testid="availability">${availability}</td>
          <td><${Bar} value=${cpus} max=${n.status?.cpus ?? 0} label=${`${cpus} / ${n.status?.cpus ?? '?'}`} /></td>
          <td><${Bar} value=${memory} max=${n.status?.memoryBytes ?? 0} label=${`${gib(memory)} / ${gib(n.status?.memoryBytes ?? 0)}`} /></td>
          <td title=${running.map((t) => `${t.spec.stack}_${t.spec.service}.${t.spec.slot ?? name}`).join('\n')}>${running.length}</td>
          <td><button data-action=${next} onClick=${() => confirmAction(`${next === 'drain' ? 'Drain' : 'Activate'} node ${name}?`, { action: 'availability', target: name, availability: next })}>${next === 'drain' ? 'Drain' : 'Activate'}</button></td>
        </tr>`;
      })}</tbody>
    </table>`;
}
