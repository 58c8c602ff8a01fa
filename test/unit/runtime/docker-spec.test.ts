import { containerCreateOptions, ContainerSpecError, type ContainerContext } from '../../../src/runtime/docker-spec.js';
import { service, task } from './fixtures.js';

const ctx: ContainerContext = {
  nodeName: 'node-1',
  clusterId: 'c1',
  networkNames: { default: 'demo_default', back: 'demo_back' },
  volumeNames: { data: 'demo_data' },
};

describe('containerCreateOptions', () => {
  it('maps a minimal service: image, labels, name, stop timeout, the default network with the service name as alias', () => {
    const opts = containerCreateOptions(task(), ctx);
    expect(opts.name).toBe('demo_web.1.tid0001');
    expect(opts.Image).toBe('stackd/busybox:latest');
    expect(opts.Labels).toEqual({
      'io.stackd.cluster': 'c1',
      'io.stackd.stack': 'demo',
      'io.stackd.service': 'web',
      'io.stackd.task': 'tid0001',
      'io.stackd.slot': '1',
      'io.stackd.node': 'node-1',
      'io.stackd.spec-hash': 'hash1',
    });
    expect(opts.StopTimeout).toBe(10);
    expect(opts.HostConfig?.RestartPolicy).toEqual({ Name: 'no' });
    expect(opts.HostConfig?.NetworkMode).toBe('demo_default');
    expect(opts.NetworkingConfig?.EndpointsConfig).toEqual({ demo_default: { Aliases: ['web', 'demo_web'] } });
    expect(opts).not.toHaveProperty('Cmd');
    expect(opts).not.toHaveProperty('Healthcheck');
  });

  it('names a global task by node, and honours container_name', () => {
    expect(containerCreateOptions(task({ slot: null }), { ...ctx, nodeName: 'n@2' }).name).toBe('demo_web.n-2.tid0001');
    expect(containerCreateOptions(task({ template: service({ container_name: 'db' }) }), ctx).name).toBe('db');
  });

  it('maps command, entrypoint, environment (null = unset), labels, user, working dir, hostname, init, stop signal', () => {
    const t = task({
      template: service({
        command: ['sh', '-c', 'echo hi'],
        entrypoint: ['/entry'],
        environment: { A: '1', EMPTY: '', UNSET: null },
        labels: { team: 'x', 'io.stackd.task': 'spoofed' },
        user: '1000:1000',
        working_dir: '/srv',
        hostname: 'h1',
        init: true,
        stop_signal: 'SIGINT',
        stop_grace_period: '1m30s',
      }),
    });
    const opts = containerCreateOptions(t, ctx);
    expect(opts).toMatchObject({
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: ['/entry'],
      Env: ['A=1', 'EMPTY='],
      User: '1000:1000',
      WorkingDir: '/srv',
      Hostname: 'h1',
      StopSignal: 'SIGINT',
      StopTimeout: 90,
    });
    expect(opts.Labels).toMatchObject({ team: 'x', 'io.stackd.task': 'tid0001' });
    expect(opts.HostConfig?.Init).toBe(true);
  });

  it('publishes ports on the node for both modes, with the host ip, and leaves an unpublished one to Docker', () => {
    const t = task({
      template: service({
        ports: [
          { target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' },
          { target: 80, published: 8081, protocol: 'tcp', mode: 'host', host_ip: '127.0.0.1' },
          { target: 53, protocol: 'udp', mode: 'host' },
        ],
      }),
    });
    const opts = containerCreateOptions(t, ctx);
    expect(opts.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(opts.HostConfig?.PortBindings).toEqual({
      '80/tcp': [{ HostPort: '8080' }, { HostPort: '8081', HostIp: '127.0.0.1' }],
      '53/udp': [{ HostPort: '' }],
    });
  });

  it('maps binds (created when missing unless create_host_path: false), named and anonymous volumes, tmpfs', () => {
    const t = task({
      template: service({
        volumes: [
          { type: 'bind', source: '/srv/conf', target: '/conf', read_only: true },
          { type: 'bind', source: '/srv/x', target: '/x', read_only: false, bind: { create_host_path: false, propagation: 'rslave' } },
          { type: 'volume', source: 'data', target: '/data', read_only: false, volume: { nocopy: true } },
          { type: 'volume', target: '/scratch', read_only: false },
          { type: 'tmpfs', target: '/tmp', read_only: false, tmpfs: { size: 1048576, mode: 0o1777 } },
        ],
      }),
    });
    const host = containerCreateOptions(t, ctx).HostConfig!;
    expect(host.Binds).toEqual(['/srv/conf:/conf:ro']);
    expect(host.Mounts).toEqual([
      { Type: 'bind', Source: '/srv/x', Target: '/x', ReadOnly: false, BindOptions: { Propagation: 'rslave' } },
      { Type: 'volume', Source: 'demo_data', Target: '/data', ReadOnly: false, VolumeOptions: { NoCopy: true } },
      { Type: 'volume', Source: '', Target: '/scratch', ReadOnly: false },
      { Type: 'tmpfs', Target: '/tmp', ReadOnly: false, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
    ]);
  });

  it('gives the healthcheck in nanoseconds, and NONE when disabled', () => {
    const hc = { test: ['CMD-SHELL', 'true'], interval: '2s', timeout: '500ms', retries: 3, start_period: '0s' };
    expect(containerCreateOptions(task({ template: service({ healthcheck: hc }) }), ctx).Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'true'],
      Interval: 2_000_000_000,
      Timeout: 500_000_000,
      Retries: 3,
      StartPeriod: 0,
    });
    expect(containerCreateOptions(task({ template: service({ healthcheck: { ...hc, disable: true } }) }), ctx).Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('maps resource limits and the memory reservation', () => {
    const t = task({ template: service() });
    t.spec.template.deploy.resources = { limits: { cpus: 0.5, memory: 64 * 1024 * 1024, pids: 100 }, reservations: { memory: 32 * 1024 * 1024 } };
    expect(containerCreateOptions(t, ctx).HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 67108864, PidsLimit: 100, MemoryReservation: 33554432 });
  });

  it('attaches every network with aliases; the first is the network mode', () => {
    const t = task({ template: service({ networks: { back: { aliases: ['db', 'web'] }, default: { aliases: [] } } }) });
    const opts = containerCreateOptions(t, ctx);
    expect(opts.HostConfig?.NetworkMode).toBe('demo_back');
    expect(opts.NetworkingConfig?.EndpointsConfig).toEqual({
      demo_back: { Aliases: ['web', 'demo_web', 'db'] },
      demo_default: { Aliases: ['web', 'demo_web'] },
    });
  });

  it('joins default when the service names no network', () => {
    expect(containerCreateOptions(task({ template: service({ networks: {} }) }), ctx).HostConfig?.NetworkMode).toBe('demo_default');
  });

  it('lets network_mode win and sends no endpoints', () => {
    const opts = containerCreateOptions(task({ template: service({ network_mode: 'host' }) }), ctx);
    expect(opts.HostConfig?.NetworkMode).toBe('host');
    expect(opts).not.toHaveProperty('NetworkingConfig');
  });

  it('maps the Compose-only keys', () => {
    const t = task({
      template: service({
        privileged: true,
        cap_add: ['NET_ADMIN'],
        cap_drop: ['ALL'],
        devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r'],
        extra_hosts: ['db:10.250.0.9', 'cache=10.250.0.8'],
        dns: ['1.1.1.1'],
        sysctls: { 'net.core.somaxconn': '1024' },
        ulimits: { nofile: { soft: 1024, hard: 2048 } },
        shm_size: 67108864,
        tty: true,
        stdin_open: true,
      }),
    });
    const opts = containerCreateOptions(t, ctx);
    expect(opts).toMatchObject({ Tty: true, OpenStdin: true });
    expect(opts.HostConfig).toMatchObject({
      Privileged: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      Devices: [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
        { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
      ],
      ExtraHosts: ['db:10.250.0.9', 'cache:10.250.0.8'],
      Dns: ['1.1.1.1'],
      Sysctls: { 'net.core.somaxconn': '1024' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 67108864,
    });
  });

  it('maps expose, runtime, namespaces, security options and tmpfs', () => {
    const t = task({
      template: service({
        expose: ['3000', '8000-8001/udp'],
        runtime: 'runc',
        pid: 'host',
        ipc: 'shareable',
        security_opt: ['no-new-privileges:true'],
        read_only: true,
        userns_mode: 'host',
        cgroup_parent: 'stackd.slice',
        group_add: ['audio'],
        tmpfs: ['/run', '/tmp:size=64m,mode=1777'],
      }),
    });
    const opts = containerCreateOptions(t, ctx);
    expect(opts.ExposedPorts).toEqual({ '3000/tcp': {}, '8000/udp': {}, '8001/udp': {} });
    expect(opts.HostConfig).toMatchObject({
      Runtime: 'runc',
      PidMode: 'host',
      IpcMode: 'shareable',
      SecurityOpt: ['no-new-privileges:true'],
      ReadonlyRootfs: true,
      UsernsMode: 'host',
      CgroupParent: 'stackd.slice',
      GroupAdd: ['audio'],
      Tmpfs: { '/run': '', '/tmp': 'size=64m,mode=1777' },
    });
  });

  it.each([
    ['an unknown volume', service({ volumes: [{ type: 'volume', source: 'nope', target: '/x', read_only: false }] }), 'volume "nope" is not a volume of the stack'],
    ['an unknown network', service({ networks: { front: { aliases: [] } } }), 'network "front" is not a network of the stack'],
    ['no image', service({ image: undefined }), 'no image'],
    ['network_mode service:', service({ network_mode: 'service:db' }), 'network_mode "service:db" is not supported'],
  ])('rejects %s with a one-line error naming the task', (_, template, message) => {
    expect(() => containerCreateOptions(task({ template }), ctx)).toThrow(ContainerSpecError);
    expect(() => containerCreateOptions(task({ template }), ctx)).toThrow(`task demo/tid0001 (service web): ${message}`);
  });
});
