// GitOps sources: repository, last applied commit, conditions, each stack's result; "Sync now"
// (with confirmation) asks the GitOps controller for a sync, like `stackctl gitops sync`.
import { db, useFeed } from '../state.js';
import { ago, confirmAction, html } from '../ui.js';

/** "main@3e0edc8ace98…" → "main@3e0edc8ace98": the branch and 12 digits of the commit. */
const short = (revision) => revision.replace(/(^|@)([0-9a-f]{12})[0-9a-f]*$/, '$1$2');

export function GitOpsPage() {
  useFeed();
  const sources = [...db.gitsources.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (sources.length === 0) return html`<p class="empty">No GitOps sources (stackctl gitops add).</p>`;
  return html`<h1>GitOps sources</h1>
    ${sources.map((g) => {
      const st = g.status ?? {};
      return html`<section class="stack" key=${g.metadata.name} data-gitsource=${g.metadata.name}>
        <h2>${g.metadata.name} <small class="mono">${g.spec.repo} ${g.spec.branch}:${g.spec.path}</small>
          <button data-action="sync" onClick=${() => confirmAction(`Sync ${g.metadata.name} now?`, { action: 'sync', target: g.metadata.name })}>Sync now</button></h2>
        <p>Last applied commit <span class="mono" data-testid="last-applied">${short(st.lastAppliedRevision ?? '—')}</span>${
          st.lastAttemptedRevision && st.lastAttemptedRevision !== st.lastAppliedRevision
            ? html`, last attempted <span class="mono">${short(st.lastAttemptedRevision)}</span>`
            : ''
        }${g.spec.suspend ? ' (suspended)' : ''}</p>
        <table><thead><tr><th>Condition</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead>
          <tbody>${(st.conditions ?? []).map((c) => html`<tr key=${c.type} class=${c.status === 'True' ? '' : 'warning'}><td>${c.type}</td><td>${c.status}</td><td>${c.reason}</td><td>${c.message}</td><td>${ago(c.lastTransitionTime)}</td></tr>`)}</tbody>
        </table>
        ${
          (st.stacks ?? []).length > 0 &&
          html`<table><thead><tr><th>Stack</th><th>File</th><th>Result</th><th>Message</th></tr></thead>
          <tbody>${st.stacks.map((r) => html`<tr key=${r.stack}><td>${r.stack}</td><td class="mono">${r.file}</td><td>${r.result}</td><td>${r.message ?? ''}</td></tr>`)}</tbody></table>`
        }
      </section>`;
    })}`;
}
