import { containerName, ownerOf, taskLabels, taskRefFromLabels } from '../../../src/runtime/labels.js';
import { networkSettings, volumeSettings } from '../../../src/runtime/resource-spec.js';
import { toContainerEvent } from '../../../src/runtime/docker-events.js';
import { dockerOptions } from '../../../src/runtime/docker.js';
import { task } from './fixtures.js';

describe('task labels', () => {
  it('round-trip through taskRefFromLabels, for replicated and global tasks', () => {
    expect(taskRefFromLabels(taskLabels(task({ slot: 3 }), 'n1', 'c1'))).toEqual({
      stack: 'demo',
      service: 'web',
      taskId: 'tid0001',
      slot: 3,
      node: 'n1',
      specHash: 'hash1',
      cluster: 'c1',
    });
    expect(taskRefFromLabels(taskLabels(task({ slot: null }), 'n1', 'c1'))?.slot).toBeUndefined();
  });

  it("tell this cluster's objects from another cluster's and from those made before cluster ids", () => {
    const labels = taskLabels(task(), 'n1', 'c1');
    expect(labels['io.stackd.cluster']).toBe('c1');
    expect(ownerOf(labels, 'c1')).toBe('mine');
    expect(ownerOf(labels, 'c2')).toBe('other');
    expect(ownerOf({ 'io.stackd.stack': 'demo' }, 'c1')).toBe('legacy');
    expect(taskRefFromLabels({ ...labels, 'io.stackd.cluster': '' })?.cluster).toBe('');
  });

  it('say nothing of a container stackd did not create', () => {
    expect(taskRefFromLabels({ 'com.example': 'x' })).toBeUndefined();
    expect(taskRefFromLabels(undefined)).toBeUndefined();
  });

  it('give Swarm-like container names', () => {
    expect(containerName(task({ stack: 'accounts', service: 'api', slot: 2, id: 'x1y2' }), 'n1')).toBe('accounts_api.2.x1y2');
  });
});

describe('network and volume settings', () => {
  it('turn overlay (Swarm default) into a bridge per node and label the stack', () => {
    expect(
      networkSettings('demo', {
        name: 'demo_default',
        driver_opts: { 'com.docker.network.driver.overlay.vxlanid_list': '4097' },
        external: false,
        labels: { a: 'b' },
        driver: 'overlay',
      }),
    ).toEqual({
      driver: 'bridge',
      labels: { a: 'b', 'io.stackd.stack': 'demo' },
      options: {},
    });
    expect(networkSettings('demo', { name: 'n', driver_opts: {}, external: false, labels: {}, internal: true })).toMatchObject({ driver: 'bridge', internal: true });
    expect(networkSettings('demo', { name: 'n', driver: 'macvlan', driver_opts: { parent: 'eth0' }, external: false, labels: {} })).toMatchObject({
      driver: 'macvlan',
      options: { parent: 'eth0' },
    });
  });

  it('default a volume to the local driver', () => {
    expect(volumeSettings('demo', { name: 'demo_data', driver_opts: { type: 'tmpfs' }, external: false, labels: {} })).toEqual({
      driver: 'local',
      labels: { 'io.stackd.stack': 'demo' },
      options: { type: 'tmpfs' },
    });
  });
});

describe('toContainerEvent', () => {
  it('separates labels from the attributes the engine adds, and reads the exit code', () => {
    const ev = toContainerEvent({
      Type: 'container',
      Action: 'die',
      Actor: {
        ID: 'abc',
        Attributes: { exitCode: '137', image: 'img', name: 'demo_web.1.t1', 'io.stackd.task': 't1', 'io.stackd.stack': 'demo', 'io.stackd.service': 'web' },
      },
      // biome-ignore lint/correctness/noPrecisionLoss: Docker sends int64 nanoseconds that JSON.parse rounds like this
      timeNano: 1764120000123456789,
    });
    expect(ev).toMatchObject({ id: 'abc', action: 'die', exitCode: 137, labels: { 'io.stackd.task': 't1', 'io.stackd.stack': 'demo', 'io.stackd.service': 'web' } });
    expect(ev?.task?.taskId).toBe('t1');
    expect(ev?.labels).not.toHaveProperty('image');
  });

  it('ignores other kinds of events', () => {
    expect(toContainerEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } })).toBeUndefined();
  });
});

describe('dockerOptions', () => {
  it.each([
    ['unix:///run/stackd-n1.sock', { socketPath: '/run/stackd-n1.sock' }],
    ['/var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['tcp://10.250.0.2:2375', { host: '10.250.0.2', port: 2375, protocol: 'http' }],
    ['https://[::1]:2376', { host: '::1', port: 2376, protocol: 'https' }],
  ])('%s', (url, expected) => {
    expect(dockerOptions(url)).toEqual(expected);
  });

  it('rejects what it cannot read, in one line', () => {
    expect(() => dockerOptions('ssh://host')).toThrow('docker address "ssh://host": expected unix:///path or tcp://host:port');
    expect(() => dockerOptions('tcp://host')).toThrow('expected tcp://host:port');
  });
});
