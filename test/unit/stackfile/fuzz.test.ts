// Property-based: valid stack files mutated at random (characters, lines, indentation, hostile
// values) either load or are refused with positioned problems. Never another error (the CLI's exit
// 1 with a message), never a hang: the loader is the front door of the CLI, `up` and GitOps.
import fc from 'fast-check';
import { StackFileError, loadStackWith } from '../../../src/stackfile/index.js';
import { memFiles } from './helpers.js';

const SEEDS = [
  [
    'name: full',
    'x-common: &common',
    '  restart: on-failure:3',
    '  env_file: [web.env]',
    'services:',
    '  web:',
    '    <<: *common',
    '    image: ${WEB_IMAGE:-nginx}',
    '    ports: ["${WEB_PORT:-8080}:80", "9000-9002:9000-9002/udp"]',
    '    volumes: ["./conf:/etc/web:ro", "data:/data"]',
    '    environment:',
    '      GREETING: hello $$USER',
    '    configs: [{source: app, target: /etc/app.conf, mode: 0440}]',
    '    secrets: [token]',
    '    deploy:',
    '      replicas: 2',
    '      update_config: {parallelism: 1, delay: 10s, max_failure_ratio: 0.2}',
    '      resources: {limits: {cpus: "0.5", memory: 512M}}',
    '    healthcheck: {test: ["CMD", "true"], interval: 30s, retries: 3}',
    '    depends_on: {db: {condition: service_healthy}}',
    '  db:',
    '    image: postgres',
    '    networks: [back]',
    'networks: {back: {}}',
    'volumes: {data: {}}',
    'configs: {app: {file: ./app.conf}}',
    'secrets: {token: {file: ./token.txt}}',
  ].join('\n'),
  ['services:', '  api:', '    build: .', '    command: ["run", "--port", "80"]', '    ulimits: {nofile: {soft: 1024, hard: 2048}}', '    labels: [a=b]'].join('\n'),
];

const FILES = { 'web.env': 'FROM_ENV_FILE=yes\n', 'app.conf': 'listen: 80\n', 'token.txt': 'tok3n', '.env': "WEB_PORT=8081\nQ='a$b'\n" };

const HOSTILE = [
  '1e308',
  '-1',
  '99999999999999999999',
  '""',
  "''",
  '~',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '*common',
  '&x',
  '*nope',
  '${',
  '${X:?boom}',
  '$$',
  '$',
  '\t',
  ':',
  '- ',
  '? ',
  '!!binary x',
  '!reset',
  '"\\u0000"',
  '0x10',
  '0o777',
  '1.5',
  'true',
  '9999999999h',
  '65536',
  '0:0',
  'WEB!',
  '"a\nb"',
  '[[[[',
  '}}}',
];

type Mutation = (text: string) => string;

const lineAt = (text: string, i: number) => {
  const lines = text.split('\n');
  return { lines, at: i % lines.length };
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // a hostile token in place of the value after a key, or of a list item
  fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE)).map(
    ([i, token]): Mutation =>
      (t) => {
        const { lines, at } = lineAt(t, i);
        lines[at] = /:\s/.test(lines[at]) ? lines[at].replace(/:\s.*$/, `: ${token}`) : lines[at].replace(/\S.*$/, token);
        return lines.join('\n');
      },
  ),
  // a hostile token as a key
  fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE)).map(
    ([i, token]): Mutation =>
      (t) => {
        const { lines, at } = lineAt(t, i);
        lines[at] = lines[at].replace(/^(\s*)[^\s:]+:/, `$1${token}:`);
        return lines.join('\n');
      },
  ),
  // indent or dedent a line
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 6 })).map(
    ([i, d]): Mutation =>
      (t) => {
        const { lines, at } = lineAt(t, i);
        lines[at] = d >= 0 ? ' '.repeat(d) + lines[at] : lines[at].slice(Math.min(-d, lines[at].search(/\S|$/)));
        return lines.join('\n');
      },
  ),
  // duplicate, delete or swap lines
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('dup', 'del', 'swap')).map(
    ([i, j, op]): Mutation =>
      (t) => {
        const { lines, at } = lineAt(t, i);
        const other = j % lines.length;
        if (op === 'dup') lines.splice(at, 0, lines[at]);
        else if (op === 'del') lines.splice(at, 1);
        else [lines[at], lines[other]] = [lines[other], lines[at]];
        return lines.join('\n');
      },
  ),
  // any characters anywhere
  fc.tuple(fc.nat(), fc.string({ maxLength: 8, unit: 'binary' })).map(
    ([i, s]): Mutation =>
      (t) => {
        const at = i % (t.length + 1);
        return t.slice(0, at) + s + t.slice(at);
      },
  ),
);

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => ms.reduce((t, m) => m(t), seed));

describe('loader fuzz', () => {
  it('starts from stack files that load', async () => {
    for (const seed of SEEDS) {
      const r = await loadStackWith({ files: ['stack.yaml'], env: {}, name: 'fuzz' }, memFiles({ ...FILES, 'stack.yaml': seed }));
      expect(Object.keys(r.stack.services).length).toBeGreaterThan(0);
    }
  });

  it('a mutated stack file loads, or every problem has file:line:col and one line', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        const read = memFiles({ ...FILES, 'stack.yaml': text });
        try {
          await loadStackWith({ files: ['stack.yaml'], env: {}, name: 'fuzz' }, read);
        } catch (err) {
          // anything but a StackFileError is exit 1 with a message: a bug
          if (!(err instanceof StackFileError)) throw err;
          expect(err.problems.length).toBeGreaterThan(0);
          for (const p of err.problems) {
            expect(p.line).toBeGreaterThanOrEqual(1);
            expect(p.col).toBeGreaterThanOrEqual(1);
            expect(p.file).toMatch(/(stack\.yaml|\.env|web\.env)$/);
            expect(p.message).not.toMatch(/\n|\s+at \S+ \(|is not a function|undefined|\[object Object\]/);
            expect(p.message.length).toBeGreaterThan(0);
          }
        }
      }),
      // each run takes milliseconds: the per-run time limit only turns a hang into a failure
      {
        numRuns: Number(process.env.STACKD_FUZZ_RUNS ?? 400),
        timeout: 10_000,
        seed: process.env.STACKD_FUZZ_SEED ? Number(process.env.STACKD_FUZZ_SEED) : undefined,
      },
    );
  });
});
