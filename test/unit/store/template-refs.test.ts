import { encodeObject, encodeStoredTask } from '../../../src/client/codec.js';
import type { Task } from '../../../src/api/objects.js';
import { deepFreeze, extractTemplate, objectEnd, rememberTemplate, specWithRef, templateRefOf, withTemplate } from '../../../src/store/template-refs.js';

const task = (template: unknown) =>
  JSON.stringify({
    kind: 'Task',
    metadata: { name: 't1', namespace: 'app', labels: { note: '"template":{' } },
    spec: { service: 'web', specHash: 'h', template, slot: 1 },
    status: { state: 'pending', message: 'a } brace' },
  });

describe('template references', () => {
  const template = { image: 'x', environment: { A: 'he said "}{"', B: '\\' }, command: ['a', '{'], deploy: { replicas: 3 } };

  it('finds the end of an object past strings, escapes and nesting', () => {
    const text = `x${JSON.stringify(template)}y`;
    expect(objectEnd(text, 1)).toBe(text.length - 1);
  });

  it('takes the spec template out and puts it back byte for byte', () => {
    const value = task(template);
    const ex = extractTemplate('/stackd/tasks/app/t1', value)!;
    expect(ex.templateKey).toMatch(/^\/stackd\/templates\/app\/[\w-]{27}$/);
    expect(JSON.parse(ex.template)).toEqual(template);
    expect(ex.value).not.toContain('"image"');
    expect(JSON.parse(ex.value).spec.templateRef).toBe(ex.templateKey);
    expect(templateRefOf(ex.value)).toBe(ex.templateKey);
    expect(withTemplate(ex.value, ex.templateKey, ex.template)).toBe(value);
  });

  it('gives an assignment copy the same key as its task, by stack and content', () => {
    const value = task(template);
    expect(extractTemplate('/stackd/assignments/node-1/app/t1', value)!.templateKey).toBe(extractTemplate('/stackd/tasks/app/t1', value)!.templateKey);
    expect(extractTemplate('/stackd/tasks/app/t1', task({ ...template, image: 'y' }))!.templateKey).not.toBe(
      extractTemplate('/stackd/tasks/app/t1', value)!.templateKey,
    );
  });

  it('leaves values without an inline template alone', () => {
    expect(extractTemplate('/stackd/tasks/app/t1', '{"kind":"Task","spec":{}}')).toBeUndefined();
    expect(templateRefOf(task(template))).toBeUndefined();
  });

  it('encodes a task whose template was read from the store by reference, byte for byte as the store would', () => {
    const value = task(template);
    const ex = extractTemplate('/stackd/tasks/app/t1', value)!;
    const shared = deepFreeze(JSON.parse(ex.template) as object);
    rememberTemplate(ex.templateKey, ex.template, shared);
    const read = JSON.parse(value) as Task;
    const decoded = { ...read, metadata: { ...read.metadata, resourceVersion: '7' }, spec: { ...read.spec, template: shared } } as Task;
    expect(encodeStoredTask(decoded)).toBe(ex.value);
    // a copy of the template (not the one read) and another stack's task go whole, as encodeObject
    const copy = { ...decoded, spec: { ...decoded.spec, template: structuredClone(shared) } } as Task;
    expect(encodeStoredTask(copy)).toBe(encodeObject(copy));
    expect(specWithRef(decoded.spec as unknown as Record<string, unknown>, 'other')).toBeUndefined();
  });
});
