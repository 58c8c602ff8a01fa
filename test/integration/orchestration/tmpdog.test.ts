import { idleCommand, SingleNode } from '../../helpers/stackd.js';
const node = new SingleNode('orchdog');
beforeAll(() => node.start());
it('dies', async () => {
  const res = await node.deploy('dogstack', `services:\n  app:\n    image: stackd/busybox:latest\n    command: ${idleCommand()}\n`);
  require('fs').writeFileSync('/tmp/orch-dog-node', node.nodeName + ' ' + node.stackd!.child.pid + ' ' + res.code);
  process.kill(process.pid, 'SIGKILL');
});
