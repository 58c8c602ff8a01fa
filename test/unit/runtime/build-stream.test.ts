import { BuildStreamReader, buildFailure } from '../../../src/runtime/build-stream.js';

describe('BuildStreamReader', () => {
  it('splits stream text into step headers and output lines, whatever the cuts', () => {
    const r = new BuildStreamReader();
    const events = [
      ...r.read({ stream: 'Step 1/2 : FROM stackd/busybox:latest\n ---> a2a0c5' }),
      ...r.read({ stream: '6382f1\n' }),
      ...r.read({ stream: 'Step 2/2 : RUN echo hi\n' }),
      ...r.read({ stream: 'hi\r\n\n' }),
      ...r.read({ stream: 'no newline at the end' }),
      ...r.end(),
    ];
    expect(events).toEqual([
      { type: 'step', text: 'Step 1/2 : FROM stackd/busybox:latest' },
      { type: 'output', text: ' ---> a2a0c56382f1' },
      { type: 'step', text: 'Step 2/2 : RUN echo hi' },
      { type: 'output', text: 'hi' },
      { type: 'output', text: 'no newline at the end' },
    ]);
    expect(r.step).toBe('Step 2/2 : RUN echo hi');
  });

  it('reports the last stage image once, at the end', () => {
    const r = new BuildStreamReader();
    expect(r.read({ aux: { ID: 'sha256:base' } })).toEqual([]);
    expect(r.read({ aux: { ID: 'sha256:final' } })).toEqual([]);
    expect(r.end()).toEqual([{ type: 'image', id: 'sha256:final' }]);
  });

  it('keeps the first error and reports no image after it', () => {
    const r = new BuildStreamReader();
    r.read({ stream: 'Step 3/4 : RUN false\n' });
    r.read({ aux: { ID: 'sha256:partial' } });
    r.read({ errorDetail: { code: 1, message: "The command '/bin/sh -c false' returned a non-zero code: 1" }, error: 'x' });
    r.read({ error: 'later' });
    expect(r.error).toBe("The command '/bin/sh -c false' returned a non-zero code: 1");
    expect(r.end()).toEqual([]);
  });

  it('shows pull status lines without the byte counts', () => {
    const r = new BuildStreamReader();
    expect(r.read({ status: 'Pulling fs layer', id: 'abc' })).toEqual([{ type: 'output', text: 'abc: Pulling fs layer' }]);
    expect(r.read({ status: 'Downloading', id: 'abc', progressDetail: { current: 10, total: 20 } })).toEqual([]);
  });
});

describe('buildFailure', () => {
  it('names the build and the failing step, shortening the builder wording', () => {
    expect(buildFailure('accounts_web (./web)', 'Step 3/4 : RUN false', "The command '/bin/sh -c false' returned a non-zero code: 1", 'web/Dockerfile')).toBe(
      'build accounts_web (./web): Step 3/4 : RUN false: returned a non-zero code: 1',
    );
  });

  it('locates a Dockerfile syntax error by file and line', () => {
    expect(buildFailure('x (.)', undefined, 'dockerfile parse error line 3: unknown instruction: FORM', '/p/Dockerfile')).toBe(
      'build x (.): /p/Dockerfile:3: unknown instruction: FORM',
    );
  });

  it('puts a multi-line engine message on one line', () => {
    expect(buildFailure('x (.)', 'Step 1/1 : FROM nope', 'pull access denied\n  for nope', 'Dockerfile')).toBe(
      'build x (.): Step 1/1 : FROM nope: pull access denied for nope',
    );
  });
});
