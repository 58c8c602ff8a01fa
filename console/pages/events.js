// The events stream: every event the manager recorded, newest first, live; Warning events stand out.
import { indexes, useFeed } from '../state.js';
import { ago, html } from '../ui.js';

export function EventTable({ events }) {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  return html`<table class="events">
    <thead><tr><th>Last seen</th><th>Type</th><th>Reason</th><th>Object</th><th>Message</th><th>Count</th></tr></thead>
    <tbody>${events.map((e) => {
      const o = e.involvedObject;
      return html`<tr key=${e.metadata.name} class=${e.type === 'Warning' ? 'warning' : ''} data-reason=${e.reason}>
        <td>${ago(e.lastTimestamp)}</td><td>${e.type}</td><td>${e.reason}</td>
        <td class="mono">${o.kind.toLowerCase()}/${o.stack ? `${o.stack}/` : ''}${o.name}</td><td>${e.message}</td><td>${e.count}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

export function EventsPage() {
  useFeed();
  const { events } = indexes();
  return html`<h1>Events <small>${events.length}</small></h1><${EventTable} events=${events.slice(0, 500)} />`;
}
