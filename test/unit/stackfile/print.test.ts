// `stackctl config` output is valid input again: loading what toStackFile prints gives the same stack.
import { stringify } from 'yaml';
import { toStackFile } from '../../../src/stackfile/index.js';
import { load } from './helpers.js';

describe('toStackFile', () => {
  const original = [
    'x-top: {note: "cost $$5"}',
    'services:',
    '  web:',
    '    image: nginx',
    '    environment:',
    '      PRICE: "$$5"',
    '      PASS: ${PASS}',
    '      SHELL_VAR: "$${HOME}"',
    '    command: ["sh", "-c", "echo $$HOME"]',
    '    healthcheck: {interval: 10s}',
    '    labels: [a=b]',
    '    x-team: {owner: "$$me"}',
    '    ports: ["8080:80"]',
    '    volumes: ["./conf:/conf:ro", "data:/data"]',
    '  agent:',
    '    image: agent',
    '    deploy: {mode: global}',
    'volumes: {data: {}}',
  ];
  // a single-quoted .env value is literal: its $ must survive a second load
  const files = { '.env': "PASS='pa$word'\n" };

  it('prints $ as $$, so a second load gives the same stack', async () => {
    const first = await load(original, { files });
    expect(first.stack.services.web.environment).toEqual({ PRICE: '$5', PASS: 'pa$word', SHELL_VAR: '${HOME}' });
    const printed = stringify(toStackFile(first.stack), { lineWidth: 0 });
    expect(printed).toContain('PASS: pa$$word');
    expect(printed).toContain('note: cost $$5');
    const second = await load(printed, { files });
    expect(second.stack).toEqual(first.stack);
    expect(stringify(toStackFile(second.stack), { lineWidth: 0 })).toBe(printed);
  });

  it('puts x-* keys back where they were written', async () => {
    const file = toStackFile((await load(original, { files })).stack);
    expect(file['x-top']).toEqual({ note: 'cost $$5' });
    expect((file.services as Record<string, Record<string, unknown>>).web['x-team']).toEqual({ owner: '$$me' });
    expect(file).not.toHaveProperty('extensions');
  });
});
