// probe-batch run as the real program over 127.0.0.1: a TCP listener, a UDP echo and ping
// answer; a closed port and a silent UDP port do not; bad input is refused with exit 2.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../exec.ts';

const PROBE_BATCH = fileURLToPath(new URL('./probe-batch.ts', import.meta.url));

const probeBatch = (args: string[], stdin: string) => exec([process.execPath, PROBE_BATCH, ...args], { input: stdin, timeoutMs: 15_000 });

describe('probe-batch over 127.0.0.1', () => {
  let tcp: Server;
  let udp: Socket;
  let silent: Socket;
  const ports = { tcp: 0, udp: 0, silent: 0, closed: 0 };

  beforeAll(async () => {
    tcp = createServer((s) => s.end());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    ports.tcp = (tcp.address() as { port: number }).port;
    udp = createSocket('udp4').on('message', (m, from) => udp.send(m, from.port, from.address));
    silent = createSocket('udp4');
    await Promise.all([new Promise<void>((r) => udp.bind(0, '127.0.0.1', r)), new Promise<void>((r) => silent.bind(0, '127.0.0.1', r))]);
    [ports.udp, ports.silent] = [udp.address().port, silent.address().port];
    // A port that was just free: nothing listens on it now.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    ports.closed = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => {
    tcp.close();
    udp.close();
    silent.close();
  });

  it('answers every probe, in order, from one process', async () => {
    const probes = [
      { protocol: 'tcp', dst: '127.0.0.1', port: ports.tcp },
      { protocol: 'tcp', dst: '127.0.0.1', port: ports.closed },
      { protocol: 'udp', dst: '127.0.0.1', port: ports.udp },
      { protocol: 'udp', dst: '127.0.0.1', port: ports.silent },
      { protocol: 'icmp', dst: '127.0.0.1' },
    ];
    const r = await probeBatch(['--timeout-ms', '500'], JSON.stringify(probes));
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; detail: string }[];
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    expect(out[1]!.detail).toBe('connection refused');
    expect(out[3]!.detail).toMatch(/no UDP reply within 500 ms/);
  }, 20_000);

  it('with --concurrency N keeps at most N probes in flight, and still answers all, in order', async () => {
    let open = 0;
    let most = 0;
    // Holds each connection 100 ms, so probes that overlap are seen overlapping.
    const slow = createServer((s) => {
      most = Math.max(most, ++open);
      setTimeout(() => (open--, s.end()), 100);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as { port: number }).port;
    try {
      // "seen": each probe waits for the server's end, so it is in flight for the server's 100 ms.
      const probes = Array.from({ length: 9 }, () => ({ protocol: 'tcp', dst: '127.0.0.1', port, seen: true }));
      const r = await probeBatch(['--timeout-ms', '2000', '--concurrency', '3'], JSON.stringify(probes));
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { ok: boolean }[]).map((o) => o.ok)).toEqual(Array(9).fill(true));
      // Never more than 3 at once (9 without the limit); more than one, or the limit would serialize them.
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
    } finally {
      slow.close();
    }
  }, 20_000);

  it.each([
    ['a concurrency of 0', ['--timeout-ms', '500', '--concurrency', '0'], '[]', /--concurrency must be/],
    ['input that is not JSON', ['--timeout-ms', '500'], 'probes', /JSON array/],
    ['a host name as dst', ['--timeout-ms', '500'], JSON.stringify([{ protocol: 'tcp', dst: 'localhost', port: 80 }]), /dst must be an IPv4 address/],
    ['a tcp probe without a port', ['--timeout-ms', '500'], JSON.stringify([{ protocol: 'tcp', dst: '127.0.0.1' }]), /needs a port/],
    ['a timeout out of range', ['--timeout-ms', '0'], '[]', /--timeout-ms must be/],
  ])('refuses %s: exit 2, a message on stderr', async (_, args, stdin, message) => {
    const r = await probeBatch(args, stdin);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
