// A config whose content changed rolls the services that use it (a new version, named by content
// hash); `stackctl rollback STACK` returns every service of a stack together.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, Stack } from '../../../src/api/objects.js';
import { getObject, listObjects } from '../../../src/client/objects.js';
import { docker, eventually } from '../../helpers/stackd.js';
import { runningImages, serviceOf, tasksOf, useRolloutNode, V1, V2 } from './helpers.js';

const rig = useRolloutNode('rollcfg');

const idle = (image: string) => `    image: ${image}\n    init: true\n    command: ["sleep", "3600"]\n    stop_grace_period: 1s\n`;

it(
  'a changed config rolls the services that use it, and the new content is in the new containers',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('cfg');
    const file = join(rig.node.dir, `${stack}.yaml`);
    const content = join(rig.node.dir, `${stack}.txt`);
    writeFileSync(content, 'one\n');
    writeFileSync(
      file,
      `services:\n  uses:\n${idle(V1)}    configs: [{source: c, target: /etc/c.txt}]\n    deploy: {replicas: 2}\n  other:\n${idle(V1)}configs:\n  c:\n    file: ./${stack}.txt\n`,
    );
    expect((await rig.node.deployFile(stack, file)).code).toBe(0);
    const otherBefore = (await tasksOf(rig.store, stack, 'other')).map((t) => t.metadata.name);

    writeFileSync(content, 'two\n');
    const res = await rig.node.deployFile(stack, file);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`config/${stack}_c-[0-9a-f]{12} created`));
    expect(res.stdout).toContain(`service/${stack}_uses updated`);
    expect(res.stdout).toContain(`service/${stack}_other unchanged`);

    // every running container of `uses` shows the new content; `other` was not touched
    const running = await rig.node.containers(stack, { service: 'uses', running: true });
    expect(running).toHaveLength(2);
    for (const c of running) expect((await docker('exec', c.Id, 'cat', '/etc/c.txt')).trim()).toBe('two');
    expect((await tasksOf(rig.store, stack, 'other')).map((t) => t.metadata.name)).toEqual(otherBefore);
    const svc = await serviceOf(rig.store, stack, 'uses');
    expect(svc.status?.revisions?.[0].change).toContain('configs');

    // both versions exist while old tasks (history) still refer to the first one
    const versions = (await listObjects<Config>(rig.store, 'Config', stack)).items.map((c) => c.metadata.name);
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => /^c-[0-9a-f]{12}$/.test(v))).toBe(true);
  }),
);

it(
  'rollback STACK returns every service to the previous stack revision in one go',
  rig.node.logged(async () => {
    const stack = rig.node.uniqueName('stk');
    const yaml = (image: string) => `services:\n  a:\n${idle(image)}  b:\n${idle(image)}`;
    expect((await rig.node.deploy(stack, yaml(V1))).code).toBe(0);
    expect((await rig.node.deploy(stack, yaml(V2))).code).toBe(0);
    expect(runningImages(await tasksOf(rig.store, stack, 'a'))).toEqual([V2]);

    const res = await rig.node.stackctl(['rollback', stack]);
    expect(res.stderr).not.toContain('stackctl:');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`stack ${stack} rolling back to stack revision 1: ${stack}_a, ${stack}_b`);
    await eventually(async () => {
      expect(runningImages(await tasksOf(rig.store, stack, 'a'))).toEqual([V1]);
      expect(runningImages(await tasksOf(rig.store, stack, 'b'))).toEqual([V1]);
    }, 30_000);
    const revisions = (await getObject<Stack>(rig.store, 'Stack', '', stack))?.status?.revisions ?? [];
    expect(revisions.map((r) => [r.revision, r.cause])).toEqual([
      [3, 'rollback to 1'],
      [2, 'deploy'],
      [1, 'deploy'],
    ]);

    // nothing earlier than what is kept
    const none = await rig.node.stackctl(['rollback', stack, '--to-revision', '9']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`stack ${stack} has no revision 9 (kept: 3, 2, 1)`);
  }),
);
