// Image builds on the real engine: the fixture's context, args, target and labels arrive; what
// .dockerignore excludes does not; failures are one line naming the failing step.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { buildServices } from '../../../src/compose/build.js';
import { FrameDemuxer } from '../../../src/runtime/demux.js';
import { BuildContextError, type BuildProgress, buildImage } from '../../../src/runtime/docker-build.js';
import { DockerError } from '../../../src/runtime/docker-errors.js';
import { DockerRuntime } from '../../../src/runtime/docker.js';
import { loadStack } from '../../../src/stackfile/index.js';
import { uniqueStack } from './helpers.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/build');
const app = path.join(fixtures, 'app');
const rt = DockerRuntime.connect();
const run = uniqueStack('build');
const tags: string[] = [];
const tag = (name: string) => {
  const t = `stackd-test/${run}-${name}:1`;
  tags.push(t);
  return t;
};

afterAll(async () => {
  for (const t of tags) await rt.removeImage(t, { force: true });
});

/** Runs `sh -c script` in a fresh container of the image; its stdout, the container removed. */
async function runIn(image: string, script: string): Promise<string> {
  const c = await rt.docker.createContainer({ Image: image, Cmd: ['sh', '-c', script], name: `${run}-${Math.floor(Math.random() * 1e6)}` });
  try {
    await c.start();
    expect(await c.wait()).toMatchObject({ StatusCode: 0 });
    const frames = new FrameDemuxer().push((await c.logs({ stdout: true, stderr: true })) as Buffer);
    return frames.map((f) => f.data.toString()).join('');
  } finally {
    await c.remove({ force: true });
  }
}

describe('buildImage', () => {
  it('sends the context minus .dockerignore, with build args, a target and labels', async () => {
    const events: BuildProgress[] = [];
    const t = tag('dev');
    const built = await buildImage(rt, { context: app, tag: t, args: { GREETING: 'hi there' }, target: 'dev', labels: { 'org.example.team': 'a' } }, (e) =>
      events.push(e),
    );
    expect(built.tag).toBe(t);
    expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const info = await rt.docker.getImage(t).inspect();
    expect(info.Id).toBe(built.imageId);
    expect(info.Config.Labels).toMatchObject({ 'org.example.team': 'a' });
    const out = await runIn(t, 'cat /greeting /stage; cd /app && find . -type f | sort');
    expect(out.split('\n')).toEqual(['hi there', 'dev', './.dockerignore', './Dockerfile', './cache/keep.txt', './kept.txt', '']);
    const steps = events.filter((e) => e.type === 'step').map((e) => (e as { text: string }).text);
    expect(steps[0]).toBe('Step 1/7 : FROM stackd/busybox:latest AS base');
    expect(steps).toContain('Step 6/7 : RUN echo dev > /stage');
    expect(events.at(-1)).toEqual({ type: 'image', id: built.imageId });
  });

  it('builds the last stage and the ARG default when no target or args are given', async () => {
    const t = tag('prod');
    await buildImage(rt, { context: app, tag: t });
    expect(await runIn(t, 'cat /greeting /stage')).toBe('hello\nprod\n');
  });

  it('a failing RUN is one line naming the build and the step; nothing is tagged', async () => {
    const t = tag('failing');
    const failing = path.join(fixtures, 'failing');
    await expect(buildImage(rt, { context: failing, tag: t, name: 'accounts_web (./failing)' })).rejects.toThrow(
      new DockerError('build accounts_web (./failing): Step 3/4 : RUN false: returned a non-zero code: 1'),
    );
    await expect(buildImage(rt, { context: failing, tag: t })).rejects.toThrow(`build ${t} (${failing}): Step 3/4 : RUN false: returned a non-zero code: 1`);
    expect(await rt.imageExists(t)).toBe(false);
  });

  it('a Dockerfile syntax error names the file and line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stackd-build-'));
    try {
      await writeFile(path.join(dir, 'Dockerfile'), 'FROM stackd/busybox:latest\nFORM x\n');
      await expect(buildImage(rt, { context: dir, tag: tag('syntax'), name: 'p_s (.)' })).rejects.toThrow(
        `build p_s (.): ${dir}/Dockerfile:2: unknown instruction: FORM`,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('a Dockerfile outside the context travels under a name COPY never sees', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stackd-build-'));
    try {
      await mkdir(path.join(dir, 'ctx'));
      await writeFile(path.join(dir, 'ctx', 'a.txt'), 'a\n');
      await writeFile(path.join(dir, 'Dockerfile.outside'), 'FROM stackd/busybox:latest\nCOPY . /ctx/\n');
      const t = tag('outside');
      await buildImage(rt, { context: path.join(dir, 'ctx'), dockerfile: '../Dockerfile.outside', tag: t });
      // the .dockerignore is the one the CLI makes up to hide the Dockerfile, as `docker build -f` does
      expect(await runIn(t, 'cd /ctx && find . -type f | sort; grep -c "^.dockerfile." .dockerignore')).toBe('./.dockerignore\n./a.txt\n1\n');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('leaves FIFOs out of the context (reading one would wait forever)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stackd-build-'));
    try {
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      await writeFile(path.join(dir, 'Dockerfile'), 'FROM stackd/busybox:latest\nCOPY . /ctx/\n');
      const t = tag('fifo');
      await buildImage(rt, { context: dir, tag: t });
      expect(await runIn(t, 'ls -A /ctx')).toBe('Dockerfile\n');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('a missing Dockerfile or context folder is a clear error before anything is sent', async () => {
    await expect(buildImage(rt, { context: app, dockerfile: 'Dockerfile.nope', tag: tag('x'), name: 'p_web (./app)' })).rejects.toThrow(
      new BuildContextError(`build p_web (./app): no Dockerfile.nope in ${app}`),
    );
    await expect(buildImage(rt, { context: path.join(fixtures, 'nope'), tag: tag('x'), name: 'p_web (./nope)' })).rejects.toThrow(
      `build p_web (./nope): no such directory ${path.join(fixtures, 'nope')}`,
    );
  });
});

describe('images', () => {
  it('imageExists and removeImage', async () => {
    const t = tag('remove');
    await buildImage(rt, { context: app, tag: t });
    expect(await rt.imageExists(t)).toBe(true);
    expect(await rt.removeImage(t)).toBe(true);
    expect(await rt.imageExists(t)).toBe(false);
    expect(await rt.removeImage(t)).toBe(false);
  });

  it('a failed pull is one line naming the image (no registry can be reached here)', async () => {
    const ref = `stackd-test/${run}-absent:1`;
    const err = await rt.pullImage(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as Error).message).toMatch(new RegExp(`^pull ${ref}: \\S`));
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('buildServices', () => {
  it('builds the services with build:, tagged <project>-<service> unless they name an image', async () => {
    const project = uniqueStack('bp');
    const apiImage = tag('api');
    const webImage = `${project}-web`;
    tags.push(webImage);
    const { stack } = await loadStack({ files: [path.join(fixtures, 'compose.yaml')], env: { API_IMAGE: apiImage }, name: project });
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d: Buffer) => (printed += d.toString()));
    const built = await buildServices(rt, stack, fixtures, undefined, { out });
    expect(built).toEqual({ api: apiImage, web: webImage });
    expect(await runIn(webImage, 'cat /greeting /stage')).toBe('hi from compose\ndev\n');
    expect(await runIn(apiImage, 'cat /stage')).toBe('prod\n');
    const labels = (await rt.docker.getImage(webImage).inspect()).Config.Labels;
    expect(labels).toMatchObject({ 'org.example.role': 'web', 'io.stackd.stack': project, 'io.stackd.service': 'web' });
    const lines = printed.split('\n');
    expect(lines).toContain('[web] Step 6/9 : RUN echo dev > /stage'); // 6 steps to the dev stage, then a LABEL per label
    expect(lines.some((l) => l.startsWith(`[web] built ${webImage} (`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`[api] built ${apiImage} (`))).toBe(true);
    expect(printed).not.toContain('--->');
  });
});
