// Small pieces shared by the pages: the replicas bar, relative times, the confirmation dialog and
// the one call every action makes (POST /api/actions, admin only: the server decides).
import { h } from 'preact';
import { useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

export function ago(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function Bar({ value, max, label, testid }) {
  const pct = max > 0 ? Math.min(100, Math.round((100 * value) / max)) : value > 0 ? 100 : 0;
  const full = max > 0 && value >= max;
  return html`<span class="bar" data-testid=${testid} title=${label}>
    <span class=${full ? 'fill full' : 'fill'} style=${`width:${pct}%`}></span>
    <span class="barlabel">${label}</span>
  </span>`;
}

export function ports(template) {
  return (template?.ports ?? []).map((p) => `${p.published ?? ''}${p.published ? '→' : ''}${p.target}/${p.protocol ?? 'tcp'}`).join(', ');
}

export function rolloutLabel(update) {
  if (!update) return '';
  return `${update.state} ${update.updated}/${update.total}`;
}

export async function act(request) {
  const res = await fetch('/api/actions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-stackd-console': '1' },
    body: JSON.stringify(request),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.message;
}

// the one open dialog, set by confirm() and shown by <Dialog/> in the app's shell
let openDialog = () => {};

/** Asks before an action: `question`, an optional number input (scale), then runs `request`. */
export function confirmAction(question, request, input) {
  openDialog({ question, request, input });
}

export function Dialog({ role }) {
  const [d, setD] = useState(undefined);
  const [value, setValue] = useState('');
  const [result, setResult] = useState('');
  openDialog = (next) => {
    setD(next);
    setValue(next.input ? String(next.input.value) : '');
    setResult('');
  };
  if (!d) return result ? html`<p class="flash" data-testid="flash">${result}</p>` : null;
  const go = async (e) => {
    e.preventDefault();
    const request = d.input ? { ...d.request, [d.input.name]: Number(value) } : d.request;
    try {
      setResult(await act(request));
      setD(undefined);
    } catch (err) {
      setResult(`error: ${err.message}`);
    }
  };
  return html`<div class="backdrop"><form class="dialog" role="dialog" onSubmit=${go}>
    <p>${d.question}</p>
    ${d.input && html`<label>${d.input.label} <input name=${d.input.name} type="number" min="0" value=${value} onInput=${(e) => setValue(e.target.value)} /></label>`}
    ${role !== 'admin' && html`<p class="warn">Actions need an admin token: log in first.</p>`}
    ${result && html`<p class="result">${result}</p>`}
    <div class="buttons">
      <button type="button" onClick=${() => setD(undefined)}>Cancel</button>
      <button type="submit" class="primary">Confirm</button>
    </div>
  </form></div>`;
}
