// The webhook receiver on a real port over a real Store: what each call writes, and what it refuses.
import type { GitSource } from '../../../src/api/objects.js';
import { getObject } from '../../../src/client/objects.js';
import { writeGitOpsSecret } from '../../../src/gitops/credentials.js';
import { REQUESTED_AT_ANNOTATION } from '../../../src/gitops/request.js';
import { createGitSource, deleteGitSource } from '../../../src/gitops/sources.js';
import { githubSignature } from '../../../src/gitops/webhook-auth.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/gitops/webhook.js';
import type { Logger } from '../../../src/log.js';
import { openStore } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { storeUrls } from '../../helpers/cli.js';

/** Collects every log line (message and fields) as text. */
function memoryLogger(lines: string[]): Logger {
  const log = (msg: string, fields?: Record<string, unknown>) => void lines.push(`${msg} ${JSON.stringify(fields ?? {})}`);
  return { info: log, warn: log, error: log, child: () => memoryLogger(lines) };
}

const run = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
const TOKEN = `tok-${run}-do-not-log`;
const spec = { repo: 'https://git.example/app.git', branch: 'main', path: '.', interval: '1h', prune: false, suspend: true };

describe.each(storeUrls())('webhook receiver on the %s store', (_kind, storeUrl) => {
  const signed = `wh-signed-${run}`;
  const unsigned = `wh-unsigned-${run}`;
  const dangling = `wh-dangling-${run}`;
  const secret = `wh-token-${run}`;
  const logs: string[] = [];
  let store: Store;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    store = await openStore(storeUrl());
    await writeGitOpsSecret(store, secret, { token: Buffer.from(TOKEN) });
    await createGitSource(store, signed, { ...spec, webhookSecretRef: secret });
    await createGitSource(store, unsigned, spec);
    await createGitSource(store, dangling, { ...spec, webhookSecretRef: `${secret}-missing` });
    receiver = await startWebhookReceiver(store, { listen: '127.0.0.1:0', log: memoryLogger(logs) });
  });

  afterAll(async () => {
    await receiver?.close();
    for (const name of [signed, unsigned, dangling]) await deleteGitSource(store, name);
    await store.txn([{ op: 'delete', key: `/stackd/gitopssecrets/${secret}` }]);
    await store.close();
  });

  const post = (name: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>) =>
    fetch(`${receiver.url}/hooks/git/${name}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
  const source = async (name: string) => (await getObject<GitSource>(store, 'GitSource', '', name))!;
  const push = JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40), secret: 'body-must-not-be-logged' });
  /** a push event's body is new on every push */
  const pushOf = (after: string) => JSON.stringify({ ref: 'refs/heads/main', after });

  it('answers GET /healthz', async () => {
    const res = await fetch(`${receiver.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a GitHub push with a valid signature sets requestedAt and answers 202', async () => {
    const res = await post(signed, push, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature(push, TOKEN) });
    expect(res.status).toBe(202);
    const reply = (await res.json()) as { requestedAt: string; gitsource: string };
    expect(reply.gitsource).toBe(signed);
    expect((await source(signed)).metadata.annotations[REQUESTED_AT_ANNOTATION]).toBe(reply.requestedAt);
  });

  it('a wrong or missing signature, an unknown source and one without a webhook secret get the same 401 and write nothing', async () => {
    const before = await Promise.all([signed, unsigned, dangling].map(source));
    const replies = [
      await post(signed, push, { 'X-Hub-Signature-256': githubSignature(`${push} `, TOKEN) }),
      await post(signed, push, {}),
      await post(signed, push, { 'X-Gitlab-Token': `${TOKEN}x` }),
      await post(`wh-nope-${run}`, push, { 'X-Gitlab-Token': TOKEN }),
      await post(`wh-nope-${run}`, push, { 'X-Hub-Signature-256': githubSignature(push, TOKEN) }),
      await post(unsigned, push, { 'X-Gitlab-Token': TOKEN }),
      await post(dangling, push, { 'X-Gitlab-Token': TOKEN }),
    ];
    for (const res of replies) {
      expect(res.status).toBe(401);
      // no hint of whether the source exists or how it is configured
      expect(await res.text()).toBe('{"error":"unauthorized"}\n');
    }
    const after = await Promise.all([signed, unsigned, dangling].map(source));
    expect(after.map((s) => s.metadata.resourceVersion)).toEqual(before.map((s) => s.metadata.resourceVersion));
    expect(after[1].metadata.annotations[REQUESTED_AT_ANNOTATION]).toBeUndefined();
    // the operator's log says why
    expect(logs.join('\n')).toMatch(/no such gitsource/);
    expect(logs.join('\n')).toMatch(/has no webhook secret/);
    expect(logs.join('\n')).toMatch(/-missing is missing or has no key token/);
  });

  it('a repeated delivery is dropped: the same X-GitHub-Delivery, or the same signed body with a new one', async () => {
    const body = pushOf('a'.repeat(40));
    const headers = { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': githubSignature(body, TOKEN), 'X-GitHub-Delivery': `d1-${run}` };
    const first = await post(signed, body, headers);
    expect(first.status).toBe(202);
    const accepted = await source(signed);
    const again = await post(signed, body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate delivery: ignored', gitsource: signed });
    // the delivery header is not signed: a replay with a fresh one is still the same body
    expect((await post(signed, body, { ...headers, 'X-GitHub-Delivery': `d2-${run}` })).status).toBe(200);
    const other = pushOf('b'.repeat(40));
    expect((await post(signed, other, { ...headers, 'X-Hub-Signature-256': githubSignature(other, TOKEN) })).status).toBe(200);
    expect((await source(signed)).metadata.resourceVersion).toBe(accepted.metadata.resourceVersion);
    // a new push with a new delivery id is accepted
    expect((await post(signed, other, { ...headers, 'X-Hub-Signature-256': githubSignature(other, TOKEN), 'X-GitHub-Delivery': `d3-${run}` })).status).toBe(202);
    expect(logs.join('\n')).toMatch(/webhook: repeated delivery dropped/);
  });

  it('a GitLab call with the token sets requestedAt again', async () => {
    const before = await source(signed);
    const res = await post(signed, pushOf('c'.repeat(40)), { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': TOKEN });
    expect(res.status).toBe(202);
    const { requestedAt } = (await res.json()) as { requestedAt: string };
    const after = await source(signed);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(after.metadata.annotations[REQUESTED_AT_ANNOTATION]).toBe(requestedAt);
  });

  it("GitHub's ping is answered 200 and syncs nothing", async () => {
    const before = await source(signed);
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const res = await post(signed, ping, { 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': githubSignature(ping, TOKEN) });
    expect(res.status).toBe(200);
    expect((await source(signed)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('refuses a body over 1 MiB with 413, other paths with 404 and other methods with 405', async () => {
    const big = new Uint8Array((1 << 20) + 1).fill(97);
    const res = await post(signed, big, { 'X-Hub-Signature-256': githubSignature(big, TOKEN) });
    expect(res.status).toBe(413);
    // chunked, without Content-Length: cut off once past the limit
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new Uint8Array(1 << 16).fill(98));
        controller.close();
      },
    });
    const chunked = await fetch(`${receiver.url}/hooks/git/${signed}`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
      headers: { 'X-Gitlab-Token': TOKEN },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await fetch(`${receiver.url}/hooks/other/${signed}`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${receiver.url}/hooks/git/%E0%A4%A`, { method: 'POST' })).status).toBe(404);
    const get = await fetch(`${receiver.url}/hooks/git/${signed}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('logs calls without their tokens or bodies', () => {
    const text = logs.join('\n');
    expect(text).toMatch(/webhook: sync requested/);
    expect(text).toMatch(/webhook: call refused/);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('body-must-not-be-logged');
  });
});
