import * as path from 'node:path';
import { BuildPlanError, imageForService, planBuilds, progressLine, withBuildImages } from '../../../src/compose/build-plan.js';
import { loadStackWith } from '../../../src/stackfile/index.js';
import { memFiles } from '../stackfile/helpers.js';

const compose = [
  'name: accounts',
  'services:',
  '  web:',
  '    build:',
  '      context: ./web',
  '      dockerfile: docker/Dockerfile.dev',
  '      args: {VERSION: "1.2"}',
  '      target: dev',
  '      labels: {team: a}',
  '  api:',
  '    image: registry.example/api:2',
  '    build: ../api',
  '  db:',
  '    image: stackd/mysql-standin:5.7',
].join('\n');

async function stack() {
  return (await loadStackWith({ files: ['/p/accounts/compose.yaml'], env: {} }, memFiles({ '/p/accounts/compose.yaml': compose }))).stack;
}

describe('imageForService', () => {
  it('is the service image, else <project>-<service>', () => {
    expect(imageForService('accounts', 'web', {})).toBe('accounts-web');
    expect(imageForService('accounts', 'api', { image: 'registry.example/api:2' })).toBe('registry.example/api:2');
  });
});

describe('withBuildImages', () => {
  it('fills in the image of build-only services (the loader accepts build without image)', async () => {
    const s = withBuildImages(await stack());
    expect(s.services.web.image).toBe('accounts-web');
    expect(s.services.api.image).toBe('registry.example/api:2');
    expect(s.services.db.image).toBe('stackd/mysql-standin:5.7');
  });
});

describe('planBuilds', () => {
  it('one request per service with build:, context from the project folder, stackd labels added', async () => {
    const plan = planBuilds(await stack(), '/p/accounts', undefined, { noCache: true });
    expect(plan.map((b) => b.service)).toEqual(['api', 'web']);
    expect(plan[1].request).toEqual({
      context: path.resolve('/p/accounts/web'),
      dockerfile: 'docker/Dockerfile.dev',
      args: { VERSION: '1.2' },
      target: 'dev',
      labels: { team: 'a', 'io.stackd.stack': 'accounts', 'io.stackd.service': 'web' },
      tag: 'accounts-web',
      name: 'accounts_web (./web)',
      noCache: true,
    });
    expect(plan[0].request.name).toBe('accounts_api (../api)');
    expect(plan[0].request.tag).toBe('registry.example/api:2');
  });

  it('only the named services, skipping those without build:; unknown names are refused', async () => {
    const s = await stack();
    expect(planBuilds(s, '/p/accounts', ['db', 'web']).map((b) => b.service)).toEqual(['web']);
    expect(() => planBuilds(s, '/p/accounts', ['nope'])).toThrow(new BuildPlanError('no such service: nope'));
  });

  it('refuses a remote context', async () => {
    const s = await stack();
    s.services.web.build = { context: 'https://github.com/x/y.git' };
    expect(() => planBuilds(s, '/p/accounts', ['web'])).toThrow(/remote build contexts .* are not supported/);
  });
});

describe('progressLine', () => {
  it('prefixes steps and output with the service, hides the builder bookkeeping', () => {
    expect(progressLine('web', { type: 'step', text: 'Step 2/4 : RUN make' }, 'accounts-web')).toBe('[web] Step 2/4 : RUN make');
    expect(progressLine('web', { type: 'output', text: 'cc -o app' }, 'accounts-web')).toBe('[web] cc -o app');
    expect(progressLine('web', { type: 'output', text: ' ---> Running in 0123' }, 'accounts-web')).toBeUndefined();
    expect(progressLine('web', { type: 'output', text: 'Removing intermediate container 0123' }, 'accounts-web')).toBeUndefined();
    expect(progressLine('web', { type: 'image', id: 'sha256:f73d2239c88d255f717e' }, 'accounts-web')).toBe('[web] built accounts-web (f73d2239c88d)');
  });
});
