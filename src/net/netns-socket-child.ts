// Run by netns-socket.ts inside a network namespace: binds, sends the socket to the parent, exits.
import { createSocket } from 'node:dgram';

const [port, address] = process.argv.slice(2);
const socket = createSocket('udp4');
socket.on('error', (err) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
socket.bind(Number(port), address, () => {
  process.send!('bound', socket as never, () => setTimeout(() => process.exit(0), 50));
});
