// End to end: stackd --webhook-listen, a GitSource over smart HTTP with basic auth, and a signed
// GitHub-style call after a push deploying the new commit (the source's interval is an hour, so
// only the webhook can have started that sync).
import { readFileSync } from 'node:fs';
import type { SourceRow } from '../../../src/gitops/views.js';
import { githubSignature } from '../../../src/gitops/webhook-auth.js';
import { GitServer, WorkingCopy } from '../../helpers/git-server.js';
import { eventually, SingleNode } from '../../helpers/stackd.js';

const LOOP = "trap 'exit 0' TERM; while true; do sleep 1 & wait $$!; done";
const appStack = (rev: number) => `services:
  app:
    image: stackd/busybox:latest
    command: ["sh", "-c", "${LOOP}"]
    environment:
      REV: "${rev}"
    stop_grace_period: 1s
`;

describe('webhook → sync → deploy', () => {
  const node = new SingleNode('whsync');
  const source = node.uniqueName('whsrc');
  const stack = node.uniqueName('whapp');
  const token = `hook-${node.nodeName}`;
  const auth = { username: 'deploy', password: `pw-${node.nodeName}` };
  let git: GitServer;
  let work: WorkingCopy;
  let webhook: string;

  const ok = async (args: string[]) => {
    const res = await node.stackctl(args);
    if (res.code !== 0) throw new Error(`stackctl ${args.join(' ')} exited ${res.code}: ${res.stderr.trim()}`);
    return res.stdout;
  };
  const revision = async () => (await node.json<SourceRow[]>(['gitops', 'ls'])).find((r) => r.name === source)?.revision;
  const runningRev = async () => {
    const containers = await node.containers(stack, { running: true });
    const envs = await Promise.all(containers.map(async (c) => (await node.inspect(c.Id)).Config.Env));
    return envs.map((env) => env.find((e) => e.startsWith('REV='))).join(',');
  };
  const post = (body: string, signature: string) =>
    fetch(`${webhook}/hooks/git/${source}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': signature },
    });

  beforeAll(async () => {
    git = await GitServer.start({ auth });
    await git.createRepo('app');
    work = await WorkingCopy.clone(git.url('app', auth));
    await work.write(`stacks/${stack}/stack.yml`, appStack(1)).commitAndPush('rev 1');
    await node.start(['--webhook-listen', '127.0.0.1:0']);
    webhook = /webhook receiver listening on (http:\/\/[0-9.:]+)/.exec(readFileSync(node.stackd!.logFile, 'utf8'))![1];
    await ok(['gitops', 'create-secret', `${source}-git`, '--from-literal', `username=${auth.username}`, '--from-literal', `password=${auth.password}`]);
    await ok(['gitops', 'create-secret', `${source}-hook`, '--from-literal', `token=${token}`]);
    await ok([
      'gitops',
      'add',
      source,
      '--repo',
      git.url('app'),
      '--path',
      'stacks',
      '--interval',
      '1h',
      '--prune',
      '--secret-ref',
      `${source}-git`,
      '--webhook-secret-ref',
      `${source}-hook`,
    ]);
    await eventually(async () => (await runningRev()) === 'REV=1', 60_000);
  }, 120_000);

  afterAll(async () => {
    await node.stackctl(['gitops', 'rm', '--prune', source]);
    await node.cleanup();
    await git?.close();
  });

  it(
    'a signed call after a push deploys the new commit; a wrong signature is refused',
    node.logged(async () => {
      const sha = await work.write(`stacks/${stack}/stack.yml`, appStack(2)).commitAndPush('rev 2');
      const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
      const wrong = await post(body, githubSignature(body, `${token}-wrong`));
      expect(wrong.status).toBe(401);
      const res = await post(body, githubSignature(body, token));
      expect(res.status).toBe(202);
      await eventually(async () => expect(await revision()).toBe(`main@${sha}`), 30_000);
      await eventually(async () => expect(await runningRev()).toBe('REV=2'), 60_000);
    }),
  );
});
