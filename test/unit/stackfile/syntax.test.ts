// YAML syntax errors are reported on the line the user got wrong; env_file's long form.
import { load, problems, web } from './helpers.js';

describe('YAML syntax errors', () => {
  it('reports an over-indented key at its own line, as docker compose does', async () => {
    expect(await problems(['services:', '  web:', '    image: nginx', '      ports:', '        - 80'])).toEqual([
      'stack.yaml:4:7 mapping values are not allowed here (is this key indented too far?)',
    ]);
  });

  it('skips blank and comment lines to the line with the mistake', async () => {
    expect(await problems(['services:', '  web:', '    image: nginx', '', '    # ports', '        ports: [80]'])).toEqual([
      'stack.yaml:6:9 All mapping items must start at the same column',
    ]);
    expect(await problems(['services:', '  web:', '    environment:', '      - A=1', '      B: 2'])).toEqual([
      'stack.yaml:5:7 All mapping items must start at the same column',
    ]);
  });

  it('keeps a mistake within one line on that line', async () => {
    expect(await problems(['services:', '  web:', '    image: nginx: latest'])).toEqual(['stack.yaml:3:12 Nested mappings are not allowed in compact mappings']);
  });
});

describe('env_file', () => {
  it('takes the long form: path, required: false for a file that may be missing, format: raw', async () => {
    const r = await load(web('env_file:', '  - a.env', '  - {path: missing.env, required: false}', '  - {path: raw.env, format: raw}'), {
      files: { 'a.env': 'A="quoted $x"\n', 'raw.env': 'R="as written" # kept\n' },
    });
    expect(r.stack.services.web.environment).toEqual({ A: 'quoted $x', R: '"as written" # kept' });
  });

  it('still refuses a missing file that is required', async () => {
    expect(await problems(web('env_file: [{path: missing.env}]'))).toEqual([`stack.yaml:4:16 services.web.env_file[0]: cannot read ${process.cwd()}/missing.env`]);
  });
});
