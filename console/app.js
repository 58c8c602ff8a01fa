// The console's shell: navigation by the URL's hash, who is logged in, the live feed's status.
// Pages: #/ stacks, #/service/STACK/NAME, #/nodes, #/gitops, #/events.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { EventsPage } from './pages/events.js';
import { GitOpsPage } from './pages/gitops.js';
import { NodesPage } from './pages/nodes.js';
import { ServicePage } from './pages/service.js';
import { StacksPage } from './pages/stacks.js';
import { connect, useFeed } from './state.js';
import { Dialog, html } from './ui.js';

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
}

function Login({ who, setWho }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const post = async (path, body) => {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-stackd-console': '1' }, body: JSON.stringify(body) });
    const out = await res.json();
    if (!res.ok) throw new Error(out.error);
    return out;
  };
  if (who.role === 'admin' || who.role === 'viewer')
    return html`<span class="who">${who.role} <button onClick=${() => post('/api/logout', {}).then(() => setWho({ ...who, role: who.loopbackOnly ? 'anonymous' : 'none' }))}>log out</button></span>`;
  const login = (e) => {
    e.preventDefault();
    post('/api/login', { token })
      .then((r) => {
        setWho({ ...who, role: r.role });
        setError('');
        location.reload(); // a new stream, now with the token's cookie
      })
      .catch((err) => setError(err.message));
  };
  return html`<form class="login" onSubmit=${login}>
    <input type="password" placeholder="API token" value=${token} onInput=${(e) => setToken(e.target.value)} />
    <button type="submit">log in</button>${error && html` <span class="warn">${error}</span>`}
  </form>`;
}

function App() {
  const db = useFeed();
  const route = useHash();
  // role: admin | viewer | anonymous (loopback, no token) | none (a token is needed to read)
  const [who, setWho] = useState({ role: undefined, loopbackOnly: false });
  useEffect(() => {
    fetch('/api/whoami')
      .then((r) => r.json())
      .then(setWho);
  }, []);
  const [page, ...args] = route;
  const tab = (href, name, on) => html`<a href=${href} class=${on ? 'on' : ''}>${name}</a>`;
  let body;
  if (who.role === 'none')
    body = html`<p class="empty" data-testid="need-login">Log in with a viewer or admin token to see the cluster (<span class="mono">stackctl kubeconfig --role viewer</span> prints one).</p>`;
  else if (page === 'service') body = html`<${ServicePage} stack=${args[0]} name=${args[1]} />`;
  else if (page === 'nodes') body = html`<${NodesPage} />`;
  else if (page === 'gitops') body = html`<${GitOpsPage} />`;
  else if (page === 'events') body = html`<${EventsPage} />`;
  else body = html`<${StacksPage} />`;
  return html`<header>
      <strong>stackd</strong>
      <nav>
        ${tab('#/', 'Stacks', !page || page === 'service')} ${tab('#/nodes', 'Nodes', page === 'nodes')}
        ${tab('#/gitops', 'GitOps', page === 'gitops')} ${tab('#/events', 'Events', page === 'events')}
      </nav>
      <span class=${db.connected ? 'live on' : 'live'} data-testid="live">${db.connected ? 'live' : 'connecting…'}</span>
      <${Login} who=${who} setWho=${setWho} />
    </header>
    <main data-testid="page">${body}</main>
    <${Dialog} role=${who.role} />`;
}

performance.mark('stackd:modules'); // every module evaluated (bench:ui's breakdown)
connect();
const root = document.getElementById('app');
root.textContent = ''; // the "loading…" placeholder: render() adds to what is there, it does not replace it
render(html`<${App} />`, root);
performance.mark('stackd:rendered');
