// The accounts example on one node, as the README tells a user to run it: `stackd`, then
// `stackctl deploy`; the web port answers with all three tiers; `service logs`; `rm` cleans up.
import { join } from 'node:path';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { removeStackVolumes } from '../../../src/runtime/stack-volumes.js';
import { ROOT } from '../../helpers/cli.js';
import { docker, eventually, freePort, SingleNode } from '../../helpers/stackd.js';

const node = new SingleNode('orchacc');
const stack = node.uniqueName('acc');
let webPort: number;

beforeAll(async () => {
  await node.start();
  webPort = await freePort();
});
afterAll(() => node.cleanup());

async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET :${port}/ answered ${res.status}`);
  return res.text();
}

it(
  'deploys the example with stackctl deploy, and the web port answers with the api tier, which reached the db and has its files',
  node.logged(async () => {
    const apiPort = await freePort();
    const res = await node.deployFile(stack, join(ROOT, 'manifests/accounts/stack.yaml'), { WEB_PORT: String(webPort), API_PORT: String(apiPort) });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`stack ${stack} converged: 3 service(s) running`);

    // the stand-in db may still be opening its port when its task is running: poll
    const page = await eventually(async () => {
      const text = await httpGet(webPort);
      expect(text).toContain('"answers":true');
      return text;
    });
    expect(page).toContain('api tier (http://api/): ok');
    const api = JSON.parse(/<pre>(.*)<\/pre>/s.exec(page)![1]) as Record<string, unknown>;
    expect(api).toMatchObject({ service: 'accounts-api', db: { address: 'mysql:3306', answers: true }, config: { plain: true, secret: true } });
    // the api's own published port answers the same JSON
    expect(JSON.parse(await httpGet(apiPort))).toMatchObject({ db: { answers: true } });
  }),
);

it(
  'the secret and the config are files of mode 0440 in the api container',
  node.logged(async () => {
    const [api] = await node.containers(stack, { service: 'api', running: true });
    expect(api).toBeDefined();
    const stat = await docker('exec', api.Id, 'stat', '-c', '%a %n', '/config/secret.yaml', '/config/plain.yaml');
    expect(stat.trim().split('\n')).toEqual(['440 /config/secret.yaml', '440 /config/plain.yaml']);
    expect(await docker('exec', api.Id, 'cat', '/config/secret.yaml')).toContain('jwt_secret');
  }),
);

it(
  "service logs shows the db's start-up line with the task's prefix",
  node.logged(async () => {
    const [task] = (await node.ps(stack)).filter((r) => r.name === `${stack}_mysql.1`);
    const res = await node.stackctl(['service', 'logs', `${stack}_mysql`]);
    expect(res.code).toBe(0);
    const prefix = `${stack}_mysql.1.${task.id}@${node.nodeName}`;
    expect(res.stdout).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')} +\\| mysql stand-in: database accounts, boot \\d+, port 3306$`, 'm'));
  }),
);

it(
  'rm leaves no container or network of the stack on the engine (named volumes stay, as with docker stack rm), and the port is free again',
  node.logged(async () => {
    expect(await node.engineObjects(stack)).toEqual({
      containers: expect.arrayContaining([expect.any(String)]),
      networks: [`${stack}_default`],
      volumes: [`${stack}_mysql`],
    });
    const res = await node.stackctl(['rm', stack]);
    expect(res.code).toBe(0);
    await eventually(async () => expect(await node.engineObjects(stack)).toEqual({ containers: [], networks: [], volumes: [`${stack}_mysql`] }));
    await expect(httpGet(webPort)).rejects.toThrow();
    expect(await removeStackVolumes(DockerRuntime.connect(), stack, await node.clusterId())).toEqual([`${stack}_mysql`]);
    expect(await node.engineObjects(stack)).toEqual({ containers: [], networks: [], volumes: [] });
  }),
);
