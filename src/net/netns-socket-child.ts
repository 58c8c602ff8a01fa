// Run by netns-socket.ts inside a network namespace: binds (UDP) or listens (TCP), sends the
// socket to the parent, exits.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [proto, port, address] = process.argv.slice(2);
const fail = (err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
};
const handOver = (handle: unknown) => process.send!('bound', handle as never, () => setTimeout(() => process.exit(0), 50));
if (proto === 'tcp') {
  const server = createServer();
  server.on('error', fail);
  server.listen({ port: Number(port), host: address }, () => handOver(server));
} else {
  const socket = createSocket('udp4');
  socket.on('error', fail);
  socket.bind(Number(port), address, () => handOver(socket));
}
