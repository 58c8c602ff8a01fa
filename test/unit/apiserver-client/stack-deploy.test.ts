import { ApiException } from '@kubernetes/client-node';
import { deployError } from '../../../src/apiserver-client/stack-deploy.js';
import { InputError } from '../../../src/errors.js';

test("a 422's causes become input errors (exit 2), one line each", () => {
  const status = {
    kind: 'Status',
    message: 'Stack "x" is invalid:\na\nb',
    reason: 'Invalid',
    details: { causes: [{ message: 'stack.yaml:4:15 services.app.deploy.replicas: expected a number' }] },
  };
  const err = deployError('x', new ApiException(422, 'Unprocessable', status, {}));
  expect(err).toBeInstanceOf(InputError);
  expect(err.message).toContain('stack.yaml:4:15 services.app.deploy.replicas: expected a number');
});

test("another status is the server's message in one line, with its code", () => {
  const body = JSON.stringify({ kind: 'Status', message: 'stacks.stackd.io "x" is forbidden: viewer may only get, list and watch', reason: 'Forbidden' });
  const err = deployError('x', new ApiException(403, 'Forbidden', body, {}));
  expect(err).not.toBeInstanceOf(InputError);
  expect(err.message).toBe('deploy x: 403 stacks.stackd.io "x" is forbidden: viewer may only get, list and watch');
  expect((err as Error & { code: number }).code).toBe(403);
});
