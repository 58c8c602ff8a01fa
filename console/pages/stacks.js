// The first page: every stack, each service with its replicas (running/desired as a bar), image,
// ports and rollout state.
import { db, indexes, useFeed } from '../state.js';
import { Bar, html, ports, rolloutLabel } from '../ui.js';

export function ServiceRow({ s }) {
  const r = s.status?.replicas ?? { desired: 0, running: 0 };
  const id = `${s.spec.stack}/${s.metadata.name}`;
  const update = s.status?.update;
  return html`<tr data-service=${id}>
    <td><a href=${`#/service/${encodeURIComponent(s.spec.stack)}/${encodeURIComponent(s.metadata.name)}`}>${s.metadata.name}</a></td>
    <td><${Bar} value=${r.running} max=${r.desired} label=${`${r.running}/${r.desired}`} testid="replicas" /></td>
    <td class="mono">${s.spec.template.image}</td>
    <td class="mono">${ports(s.spec.template)}</td>
    <td data-testid="rollout" class=${update ? `rollout ${update.state}` : ''}>${rolloutLabel(update)}</td>
  </tr>`;
}

export function StacksPage() {
  useFeed();
  const { servicesByStack } = indexes();
  const stacks = [...db.stacks.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (stacks.length === 0) return html`<p class="empty">No stacks deployed yet (stackctl deploy -c FILE STACK).</p>`;
  return html`<h1>Stacks</h1>
    ${stacks.map((st) => {
      const services = (servicesByStack.get(st.metadata.name) ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      return html`<section class="stack" data-stack=${st.metadata.name} key=${st.metadata.name}>
        <h2>${st.metadata.name} <small>${services.length} services</small></h2>
        <table>
          <thead><tr><th>Service</th><th>Replicas</th><th>Image</th><th>Ports</th><th>Rollout</th></tr></thead>
          <tbody>${services.map((s) => html`<${ServiceRow} s=${s} key=${s.metadata.name} />`)}</tbody>
        </table>
      </section>`;
    })}`;
}
