import { extract } from 'tar-stream';
import { filesTar, taskFiles } from '../../../src/runtime/files.js';
import { ContainerSpecError } from '../../../src/runtime/docker-spec.js';
import { service, task } from './fixtures.js';

const t = task({
  template: service({
    configs: [
      { source: 'plain', target: '/config/plain.yaml', uid: '0', gid: '0', mode: 0o440 },
      { source: 'plain', target: 'etc/app.yaml', uid: '', gid: '', mode: 0o444 },
    ],
    secrets: [{ source: 'pw', target: 'db_password', uid: '1000', gid: '1001', mode: 0o400 }],
  }),
});

describe('taskFiles', () => {
  it('places configs at their target (relative: under /) and secrets under /run/secrets, with owner and mode', () => {
    const files = taskFiles(t, { configs: { plain: Buffer.from('a: 1\n') }, secrets: { pw: Buffer.from('s3cret') } });
    expect(files.map((f) => [f.path, f.uid, f.gid, f.mode, f.content.toString()])).toEqual([
      ['/config/plain.yaml', 0, 0, 0o440, 'a: 1\n'],
      ['/etc/app.yaml', 0, 0, 0o444, 'a: 1\n'],
      ['/run/secrets/db_password', 1000, 1001, 0o400, 's3cret'],
    ]);
  });

  it('names the task and the missing content', () => {
    expect(() => taskFiles(t, { configs: { plain: Buffer.from('') }, secrets: {} })).toThrow(ContainerSpecError);
    expect(() => taskFiles(t, { configs: { plain: Buffer.from('') }, secrets: {} })).toThrow('task demo/tid0001 (service web): no content for secret "pw"');
  });
});

describe('filesTar', () => {
  it('holds each file with its relative path, owner and mode', async () => {
    const tar = await filesTar([
      { path: '/config/plain.yaml', content: Buffer.from('x: y\n'), uid: 0, gid: 0, mode: 0o440 },
      { path: '/run/secrets/pw', content: Buffer.from('pw'), uid: 1000, gid: 1001, mode: 0o400 },
    ]);
    const entries: [string, number, number, number, string][] = [];
    await new Promise<void>((resolve, reject) => {
      const ex = extract();
      ex.on('entry', (h, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c) => chunks.push(c as Buffer));
        stream.on('end', () => {
          entries.push([h.name, h.uid ?? -1, h.gid ?? -1, h.mode ?? -1, Buffer.concat(chunks).toString()]);
          next();
        });
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
      ex.end(tar);
    });
    expect(entries).toEqual([
      ['config/plain.yaml', 0, 0, 0o440, 'x: y\n'],
      ['run/secrets/pw', 1000, 1001, 0o400, 'pw'],
    ]);
  });
});
