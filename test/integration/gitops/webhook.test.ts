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

  it('a wrong or missing signature gets 401 and writes nothing', async () => {
    const before = await source(signed);
    const wrong = await post(signed, push, { 'X-Hub-Signature-256': githubSignature(`${push} `, TOKEN) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: expect.stringMatching(/does not match/) });
    const none = await post(signed, push, {});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: expect.stringMatching(/X-Hub-Signature-256 \(GitHub\) or X-Gitlab-Token/) });
    const wrongGitlab = await post(signed, push, { 'X-Gitlab-Token': `${TOKEN}x` });
    expect(wrongGitlab.status).toBe(401);
    expect((await source(signed)).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('a GitLab call with the token sets requestedAt again', async () => {
    const before = await source(signed);
    const res = await post(signed, push, { 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': TOKEN });
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

  it('an unknown source is 404; a source without a webhook secret is 403 saying to set one', async () => {
    const missing = await post(`wh-nope-${run}`, push, { 'X-Gitlab-Token': TOKEN });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: `gitsource wh-nope-${run} not found` });
    const noSecret = await post(unsigned, push, { 'X-Gitlab-Token': TOKEN });
    expect(noSecret.status).toBe(403);
    expect(await noSecret.json()).toEqual({ error: expect.stringMatching(/no webhook secret \(gitops add --webhook-secret-ref SECRET/) });
    const danglingRef = await post(dangling, push, { 'X-Gitlab-Token': TOKEN });
    expect(danglingRef.status).toBe(403);
    expect(await danglingRef.json()).toEqual({ error: expect.stringMatching(/webhook secret .*-missing is missing/) });
    expect((await source(unsigned)).metadata.annotations[REQUESTED_AT_ANNOTATION]).toBeUndefined();
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
    const chunked = await fetch(`${receiver.url}/hooks/git/${signed}`, { method: 'POST', body: chunks, duplex: 'half', headers: { 'X-Gitlab-Token': TOKEN } } as RequestInit);
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
