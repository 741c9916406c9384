// source-echo and probe-batch run as the real programs over 127.0.0.1: a probe that asks for
// the source echo learns the address the server saw and the server's name, by TCP and by UDP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../exec.ts';

const SOURCE_ECHO = fileURLToPath(new URL('./source-echo.ts', import.meta.url));
const PROBE_BATCH = fileURLToPath(new URL('./probe-batch.ts', import.meta.url));

/** A netproof script run as the nodes run it: argv in, exit code and output out. */
const run = (script: string, args: string[], stdin = '') => exec([process.execPath, script, ...args], { input: stdin, timeoutMs: 15_000 });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('source-echo answered through probe-batch', () => {
  let echo: ChildProcess;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    echo = spawn(process.execPath, [SOURCE_ECHO, '--name', 'vm9', '--tcp', String(port), '--udp', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      echo.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes(`listening tcp/${port}`) && out.includes(`listening udp/${port}`)) resolve();
      });
      echo.once('exit', (code) => reject(new Error(`source-echo exited ${code}`)));
    });
  });
  afterAll(() => {
    echo.kill('SIGKILL');
  });

  it('reports the source address it saw and its name, over TCP and UDP', async () => {
    const probes = [
      { protocol: 'tcp', dst: '127.0.0.1', port, seen: true },
      { protocol: 'udp', dst: '127.0.0.1', port },
      { protocol: 'tcp', dst: '127.0.0.1', port },
    ];
    const r = await run(PROBE_BATCH, ['--timeout-ms', '2000'], JSON.stringify(probes));
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([
      // A TCP outcome names the source port it used: the evidence behind a load balancer's spread.
      { ok: true, detail: 'connected', seen: '127.0.0.1', by: 'vm9', sport: expect.any(Number) },
      { ok: true, detail: 'reply received', seen: '127.0.0.1', by: 'vm9' },
      // Without "seen", a TCP probe only connects.
      { ok: true, detail: 'connected', sport: expect.any(Number) },
    ]);
  });

  it.each([
    [['--tcp', '80'], /--name must be a node name/],
    [['--name', 'vm1'], /at least one --tcp or --udp/],
    [['--name', 'vm1', '--udp', '70000'], /not from 1 to 65535/],
    [['--name', 'a b', '--tcp', '80'], /--name must be a node name/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await run(SOURCE_ECHO, args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
