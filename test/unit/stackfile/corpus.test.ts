// Compose files as people write them (test/fixtures/compose-corpus: modelled on common public
// samples and on the reference loader's test data), all valid for `docker compose config`: stackd
// loads every one, and says which keys it ignores.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStack } from '../../../src/stackfile/index.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/compose-corpus');
const files = readdirSync(corpus).map((dir) => {
  const file = readdirSync(path.join(corpus, dir)).find((f) => /^(docker-)?compose\.ya?ml$/.test(f));
  return [dir, path.join(corpus, dir, file ?? 'missing')] as const;
});

describe('a corpus of real-world Compose files', () => {
  it('has the files', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s loads', async (_dir, file) => {
    const r = await loadStack({ files: [file], env: {} });
    expect(Object.keys(r.stack.services).length).toBeGreaterThan(0);
    for (const w of r.warnings) expect(w).toMatch(/^\S+:\d+:\d+ /);
  });

  it('keeps what it can honour and names once each key it ignores', async () => {
    const r = await loadStack({ files: [path.join(corpus, 'devloop/compose.yaml')], env: {} });
    const api = r.stack.services.api;
    expect(api).toMatchObject({ expose: ['9229'], runtime: 'runc', tmpfs: ['/tmp'], init: true });
    expect(r.warnings.map((w) => w.replace(/^\S+ /, ''))).toEqual([
      'Ignoring unsupported options: build.cache_from',
      'Ignoring unsupported options: build.platforms',
      'Ignoring unsupported options: platform',
      'Ignoring unsupported options: pull_policy',
      'Ignoring unsupported options: develop',
      'Ignoring unsupported options: post_start',
      'Ignoring unsupported options: pre_stop',
      'Ignoring unsupported options: attach',
      'Ignoring unsupported options: annotations',
      'Ignoring unsupported options: dns_search',
      'Ignoring unsupported options: ports.app_protocol',
      'Ignoring unsupported options: ports.name',
    ]);
  });

  it("resolves extends across files, with the base file's relative paths", async () => {
    const r = await loadStack({ files: [path.join(corpus, 'extends/compose.yaml')], env: {} });
    const { web, worker } = r.stack.services;
    expect(web.environment).toEqual({ LOG_LEVEL: 'debug' });
    expect(web.build?.context).toBe(path.join(corpus, 'extends/common/webapp'));
    expect(web.volumes[0]).toMatchObject({ type: 'bind', source: path.join(corpus, 'extends/common/static'), read_only: true });
    expect(r.stack.services['worker-slow']).toMatchObject({ image: 'example/worker:1', stop_grace_period: '30s', command: ['work', '--queue', 'slow'] });
    expect(worker.deploy.restart_policy.condition).toBe('on-failure');
  });

  it('reads service-level resources into deploy.resources', async () => {
    const r = await loadStack({ files: [path.join(corpus, 'full-spec/compose.yaml')], env: {} });
    expect(r.stack.services.app.deploy.resources.limits).toEqual({ cpus: 0.5, memory: 512 * 1024 ** 2, pids: 100 });
    expect(r.stack.services.app.networks).toEqual({ front: { aliases: ['app.front'] }, back: { aliases: [] } });
  });
});
