import { interpolate } from '../../../src/stackfile/interpolate.js';
import { load, problems } from './helpers.js';

const vars: Record<string, string> = { SET: 'value', EMPTY: '', B: 'bee' };
const lookup = (name: string) => vars[name];

describe('interpolate', () => {
  it.each([
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['pre-${SET}-post', 'pre-value-post'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:-d}', 'value'],
    ['${SET:+r}', 'r'],
    ['${EMPTY:+r}', ''],
    ['${EMPTY+r}', 'r'],
    ['${UNSET+r}', ''],
    ['${UNSET:-${B:-x}}', 'bee'],
    ['${UNSET:-${ALSO_UNSET:-x}}', 'x'],
    ['${UNSET:-a $B c}', 'a bee c'],
    ['$$SET', '$SET'],
    ['cost: $$5', 'cost: $5'],
    ['${SET:?must be set}', 'value'],
    ['${EMPTY?must be set}', ''],
  ])('%s → %j', (input, expected) => {
    const r = interpolate(input, lookup);
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(expected);
    expect(r.unset).toEqual([]);
  });

  it('reports a variable that is not set and has no default, and uses ""', () => {
    expect(interpolate('a${X}b$Y', lookup)).toEqual({ value: 'ab', unset: ['X', 'Y'] });
  });

  it('does not warn about variables in a default that is not used', () => {
    expect(interpolate('${SET:-${NOPE}}', lookup)).toEqual({ value: 'value', unset: [] });
  });

  it.each([
    ['${UNSET:?needs a value}', 'required variable UNSET is missing a value: needs a value'],
    ['${EMPTY:?}', 'required variable EMPTY is missing a value'],
    ['${UNSET?gone}', 'required variable UNSET is missing a value: gone'],
  ])('%s is an error', (input, message) => {
    expect(interpolate(input, lookup).error).toBe(message);
  });

  it.each(['${SET', 'a $ b', '${1X}', '${SET!x}', 'end $'])('malformed %j is an error', (input) => {
    expect(interpolate(input, lookup).error).toMatch(/invalid|missing closing/);
  });
});

describe('interpolation in stack files', () => {
  it('uses the environment over .env, and never touches keys', async () => {
    const { stack } = await load(['services:', '  web:', '    image: ${IMAGE}:${TAG}', '    environment:', '      $KEY: ${VALUE}'], {
      files: { '.env': 'IMAGE=from-dotenv\nTAG=1\nVALUE=v' },
      env: { TAG: '2' },
    });
    expect(stack.services.web.image).toBe('from-dotenv:2');
    expect(stack.services.web.environment).toEqual({ $KEY: 'v' });
  });

  it('--env-file replaces .env', async () => {
    const { stack } = await load(['services:', '  web:', '    image: ${IMAGE:-none}'], {
      files: { '.env': 'IMAGE=dotenv', 'other.env': '# nothing' },
      envFile: 'other.env',
    });
    expect(stack.services.web.image).toBe('none');
  });

  it('a missing --env-file is an error', async () => {
    expect(await problems(['services:', '  web:', '    image: x'], { envFile: 'nope.env' })).toEqual(['nope.env:1:1 cannot read the env file']);
  });

  it('warns with file:line:col for an unset variable and uses ""', async () => {
    const r = await load(['services:', '  web:', '    build: .', '    image: ${X}']);
    expect(r.warnings).toEqual(['stack.yaml:4:12 services.web.image: variable "X" is not set, using ""']);
    expect(r.stack.services.web.image).toBe('');
  });

  it('a ${V:?err} failure is an error naming file:line:col', async () => {
    expect(await problems(['services:', '  web:', '    image: ${IMAGE:?set IMAGE to the image to run}'])).toEqual([
      'stack.yaml:3:12 services.web.image: required variable IMAGE is missing a value: set IMAGE to the image to run',
    ]);
  });

  it('interpolates before type checks: a number from a variable is a number', async () => {
    const { stack } = await load(['services:', '  web:', '    image: x', '    deploy:', '      replicas: ${N}'], {
      env: { N: '3' },
    });
    expect(stack.services.web.deploy.replicas).toBe(3);
  });
});
