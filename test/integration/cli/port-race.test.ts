// Deploys racing for one published port: real `stackctl deploy` processes started at the same
// moment, on both Store backends. The port's claim key is written in each deploy's one
// transaction (src/stacks/port-claims.ts), so exactly one stack gets the port and the others are
// refused with the owner's name, whatever the interleaving; a removed stack's port is free again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackctl, storeUrls, tempDir } from '../../helpers/cli.js';
import { openStore } from '../../../src/store/open.js';
import { listObjects } from '../../../src/client/objects.js';
import type { Service } from '../../../src/api/objects.js';

const RACERS = 4;
// the races are the point, not the Store's speed: a loaded machine may take seconds per request

describe.each(storeUrls())('deploys racing for a port on the %s store', (_name, newUrl) => {
  let url: string;
  const dir = tempDir('stackd-port-race-');
  const tag = `nx${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  // a different port per store and round: etcd is shared with other tests
  const base = 20000 + (Date.now() % 20000);
  const file = (port: number, mode: 'ingress' | 'host') => {
    const f = join(dir, `p${port}${mode}.json`);
    writeFileSync(
      f,
      JSON.stringify({ services: { web: { image: 'stackd/busybox:latest', command: ['sleep', '60'], ports: [{ target: 80, published: port, mode }] } } }),
    );
    return f;
  };

  beforeAll(() => {
    url = newUrl();
  });

  async function race(port: number, mode: 'ingress' | 'host', round: number) {
    const names = Array.from({ length: RACERS }, (_, i) => `${tag}r${round}s${i}`);
    const f = file(port, mode);
    const results = await Promise.all(names.map((n) => stackctl(['--store', url, '--request-timeout', '60s', 'deploy', '--detach', '-c', f, n])));
    const store = await openStore(url);
    try {
      const holders = (await listObjects<Service>(store, 'Service')).items.filter((s) => s.spec.template.ports.some((p) => p.published === port));
      return { names, results, holders: holders.map((s) => s.spec.stack) };
    } finally {
      await store.close();
    }
  }

  it.each([0, 1, 2])('round %i: of four deploys of one ingress port, exactly one wins; the others exit 2 naming it', async (round) => {
    const port = base + round;
    const { names, results, holders } = await race(port, 'ingress', round);
    const winners = names.filter((_, i) => results[i].code === 0);
    expect(winners).toHaveLength(1);
    expect(holders).toEqual(winners);
    for (const [i, r] of results.entries()) {
      if (names[i] === winners[0]) continue;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^stack ${names[i]}: service web publishes port ${port}/tcp \\(ingress\\), which stack ${winners[0]} already owns`));
    }
    for (const n of winners) expect((await stackctl(['--store', url, '--request-timeout', '60s', 'rm', n])).code).toBe(0);
  });

  it('host-mode ports of one number are shared: every racer wins', async () => {
    const port = base + 10;
    const { names, results, holders } = await race(port, 'host', 9);
    expect(results.map((r) => [r.code, r.stderr])).toEqual(names.map(() => [0, '']));
    expect(holders.sort()).toEqual([...names].sort());
    for (const n of names) expect((await stackctl(['--store', url, '--request-timeout', '60s', 'rm', n])).code).toBe(0);
  });

  it('a removed stack leaves its port free: the next deploy of it takes it', async () => {
    const port = base + 20;
    const f = file(port, 'ingress');
    expect((await stackctl(['--store', url, '--request-timeout', '60s', 'deploy', '--detach', '-c', f, `${tag}old`])).code).toBe(0);
    expect((await stackctl(['--store', url, '--request-timeout', '60s', 'deploy', '--detach', '-c', f, `${tag}new`])).code).toBe(2);
    expect((await stackctl(['--store', url, '--request-timeout', '60s', 'rm', `${tag}old`])).code).toBe(0);
    const taken = await stackctl(['--store', url, '--request-timeout', '60s', 'deploy', '--detach', '-c', f, `${tag}new`]);
    expect([taken.code, taken.stderr]).toEqual([0, '']);
    expect((await stackctl(['--store', url, '--request-timeout', '60s', 'rm', `${tag}new`])).code).toBe(0);
  });
});
