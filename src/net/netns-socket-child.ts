// Run by netns-socket.ts inside a network namespace: binds (UDP) or listens (TCP), sends the
// socket to the parent, exits once the parent disconnects.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const [proto, port, address] = process.argv.slice(2);
const fail = (err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
};
// exit once the parent has the socket (it disconnects), or after a while if it never says so
const handOver = (handle: unknown) => {
  process.once('disconnect', () => process.exit(0));
  process.send!('bound', handle as never);
  setTimeout(() => process.exit(0), 30_000).unref();
};
if (proto === 'tcp') {
  const server = createServer();
  server.on('error', fail);
  server.listen({ port: Number(port), host: address }, () => handOver(server));
} else {
  const socket = createSocket('udp4');
  socket.on('error', fail);
  socket.bind(Number(port), address, () => handOver(socket));
}
