// Layering, checked on the sources themselves so it stays true: the CLI sits on top; nothing the
// daemon runs (manager, GitOps, daemon) or the Compose workflow uses reaches up into it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports (static, re-exported or dynamic), as a path under src/. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)));
}

// the API server and its clients' adapter are server code: the views they share with the CLI live in src/views
const RULES: { from: string[]; never: string }[] = [
  { from: ['manager', 'gitops', 'compose', 'daemon', 'apiserver', 'apiserver-client', 'views', 'events', 'actions'], never: 'cli' },
];

test('the scan sees every form of import', () => {
  const file = join(SRC, 'compose', 'x.ts');
  const text =
    "import { a } from '../cli/a.js';\nexport * from \"../cli/b.js\";\nconst c = await import('../cli/c.js');\nimport '../cli/d.js';\nimport x from 'rxjs';";
  expect(importsOf(file, text)).toEqual(['cli/a.js', 'cli/b.js', 'cli/c.js', 'cli/d.js']);
});

describe.each(RULES)('nothing under $from imports from src/$never', ({ from, never }) => {
  test.each(from)('src/%s', (dir) => {
    const files = sources(join(SRC, dir));
    expect(files.length).toBeGreaterThan(0);
    const offending = files.flatMap((f) =>
      importsOf(f, readFileSync(f, 'utf8'))
        .filter((target) => target === never || target.startsWith(`${never}/`))
        .map((target) => `${relative(SRC, f)} imports ${target}`),
    );
    expect(offending).toEqual([]);
  });
});
