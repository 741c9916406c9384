#!/usr/bin/env node
// netproof's source echo, run inside a lab node: it answers every TCP connection and UDP probe
// with the source address it saw and its own name, so a prober learns who answered and what
// NAT did to its packets on the way (a floating IP's DNAT keeps the outside address; SNAT
// replaces a VM's with the router's).
//   source-echo --name vm1 --tcp 80 --tcp 22 --udp 5001
// Prints `listening tcp/80` (one line per port) once bound; runs until killed.
// TCP: writes `netproof-seen <address> by <name>` and closes. UDP: a datagram carrying the
// probe token gets `netproof-udp-probe seen <address> by <name>` back.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const UDP_TOKEN = 'netproof-udp-probe';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,39}$/;

function fail(message: string): never {
  process.stderr.write(`source-echo: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({ options: { name: { type: 'string' }, tcp: { type: 'string', multiple: true }, udp: { type: 'string', multiple: true } } });
  } catch (err) {
    fail((err as Error).message);
  }
})();
const name = values.name ?? '';
if (!NAME.test(name)) fail('--name must be a node name');
const port = (s: string) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`port ${JSON.stringify(s)} is not from 1 to 65535`);
  return n;
};
const tcpPorts = (values.tcp ?? []).map(port);
const udpPorts = (values.udp ?? []).map(port);
if (!tcpPorts.length && !udpPorts.length) fail('give at least one --tcp or --udp port');

// IPv4-mapped addresses (::ffff:a.b.c.d) are printed as plain IPv4.
const plain = (address: string | undefined) => (address ?? '?').replace(/^::ffff:/, '');

for (const p of tcpPorts) {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(`netproof-seen ${plain(socket.remoteAddress)} by ${name}\n`);
  });
  server.on('error', (e) => fail(`tcp/${p}: ${e.message}`));
  server.listen({ port: p, host: '0.0.0.0' }, () => process.stdout.write(`listening tcp/${p}\n`));
}
for (const p of udpPorts) {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (m, rinfo) => {
    if (m.toString().includes(UDP_TOKEN)) socket.send(`${UDP_TOKEN} seen ${rinfo.address} by ${name}\n`, rinfo.port, rinfo.address);
  });
  socket.on('error', (e) => fail(`udp/${p}: ${e.message}`));
  socket.bind(p, '0.0.0.0', () => process.stdout.write(`listening udp/${p}\n`));
}
