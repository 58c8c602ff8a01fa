import { certificateIdentity } from '../../../src/apiserver/client-certs.js';

test.each<[Parameters<typeof certificateIdentity>[0], ReturnType<typeof certificateIdentity>]>([
  [
    { CN: 'alice', O: 'stackd:admins' },
    { id: 'cert:alice', role: 'admin' },
  ],
  [
    { CN: 'bob', O: 'stackd:viewers' },
    { id: 'cert:bob', role: 'viewer' },
  ],
  [
    { CN: 'n1', O: 'stackd:nodes' },
    { id: 'cert:n1', role: 'node', node: 'n1' },
  ],
  // several groups: the most powerful one (a union of rights)
  [
    { CN: 'carol', O: ['stackd:viewers', 'stackd:admins'] },
    { id: 'cert:carol', role: 'admin' },
  ],
  [{ CN: 'dave', O: 'system:masters' }, undefined],
  [{ O: 'stackd:admins' }, undefined],
  [undefined, undefined],
])('%j', (subject, identity) => {
  expect(certificateIdentity(subject)).toEqual(identity);
});
