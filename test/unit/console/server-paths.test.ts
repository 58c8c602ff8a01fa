// The console's pure guards: which URL paths map to files (never out of console/), the Host
// header's name, who may read and act.
import { decide, tokenFromCookie } from '../../../src/console/auth.js';
import { checkAction } from '../../../src/console/actions.js';
import { consoleFile, hostOf } from '../../../src/console/server.js';

test('only the vendor modules and plain names under console/ are files', () => {
  expect(consoleFile('/')).toBe('console/index.html');
  expect(consoleFile('/vendor/preact.mjs')).toBe('node_modules/preact/dist/preact.mjs');
  expect(consoleFile('/app.js')).toBe('console/app.js');
  expect(consoleFile('/pages/stacks.js')).toBe('console/pages/stacks.js');
  for (const bad of ['/../package.json', '/pages/../../x.js', '/a/b/c.js', '/app.ts', '/.env', '/%2e%2e/x.js']) expect(consoleFile(bad)).toBeUndefined();
});

test('the host name of a Host header', () => {
  expect(hostOf('127.0.0.1:8090')).toBe('127.0.0.1');
  expect(hostOf('[::1]:8090')).toBe('::1');
  expect(hostOf('localhost')).toBe('localhost');
  expect(hostOf('evil.example:8090')).toBe('evil.example');
  expect(hostOf(undefined)).toBeUndefined();
});

test('read without a token on loopback only; actions for admins only', () => {
  const admin = { role: 'admin' as const, id: 'a' };
  const viewer = { role: 'viewer' as const, id: 'v' };
  expect(decide(undefined, true, 'read')).toEqual({ allow: true });
  expect(decide(undefined, false, 'read')).toMatchObject({ allow: false, status: 401 });
  expect(decide(viewer, false, 'read')).toEqual({ allow: true });
  expect(decide(undefined, true, 'act')).toMatchObject({ allow: false, status: 401 });
  expect(decide(viewer, true, 'act')).toMatchObject({ allow: false, status: 403 });
  expect(decide(admin, false, 'act')).toEqual({ allow: true });
  expect(tokenFromCookie('a=b; stackd_console=tok%3D1')).toBe('tok=1');
});

test('malformed actions are refused with one line', () => {
  expect(checkAction({ action: 'scale', target: 's_w', replicas: -1 })).toMatch(/replicas/);
  expect(checkAction({ action: 'availability', target: 'n', availability: 'gone' as 'drain' })).toMatch(/availability/);
  expect(checkAction({ action: 'reboot' as 'scale', target: 'x' })).toMatch(/unknown action/);
  expect(checkAction({ action: 'undo', target: '' })).toMatch(/target/);
  expect(checkAction({ action: 'sync', target: 'src' })).toBeUndefined();
});
