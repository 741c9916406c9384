import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VtyClient } from './vty-client.ts';

/** A daemon's vty socket as FRR serves it: NUL-ended commands in, output + 3 NULs + return code out. */
async function fakeDaemon(answer: (command: string, enabled: boolean) => { text: string; code: number }): Promise<{ path: string; server: Server; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vty-'));
  const path = join(dir, 'bfdd.vty');
  const server = createServer((sock) => {
    let enabled = false;
    let pending = '';
    sock.on('data', (d) => {
      pending += d.toString();
      for (let z = pending.indexOf('\0'); z >= 0; z = pending.indexOf('\0')) {
        const command = pending.slice(0, z);
        pending = pending.slice(z + 1);
        if (command === 'enable') enabled = true;
        const { text, code } = command === 'enable' ? { text: '', code: 0 } : answer(command, enabled);
        // Split the reply across writes, as a socket may deliver it.
        const reply = Buffer.concat([Buffer.from(text), Buffer.from([0, 0, 0, code])]);
        sock.write(reply.subarray(0, 2));
        sock.write(reply.subarray(2));
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server, dir };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

describe('VtyClient', () => {
  it('runs show commands in enable mode over one connection, in order', async () => {
    let connections = 0;
    const d = await fakeDaemon((command, enabled) => ({ text: enabled ? `[${JSON.stringify(command)}]\n` : '% Unknown command', code: enabled ? 0 : 2 }));
    d.server.on('connection', () => connections++);
    const vty = new VtyClient(d.path);
    cleanup.push(async () => (await vty.close(), d.server.close(), await rm(d.dir, { recursive: true })));
    const answers = await Promise.all([vty.show('show bfd peers json'), vty.show('show version')]);
    expect(answers.map((a) => JSON.parse(a))).toEqual([['show bfd peers json'], ['show version']]);
    expect(await vty.show('show bfd peers json')).toContain('show bfd peers json');
    expect(connections).toBe(1);
  });

  it("rejects a command the daemon refuses, with the daemon's words and code", async () => {
    const d = await fakeDaemon(() => ({ text: '% Unknown command: show nonsense', code: 2 }));
    const vty = new VtyClient(d.path);
    cleanup.push(async () => (await vty.close(), d.server.close(), await rm(d.dir, { recursive: true })));
    await expect(vty.show('show nonsense')).rejects.toThrow(/'show nonsense' failed \(code 2\): % Unknown command: show nonsense/);
  });

  it('gives up on a daemon that does not answer, and says so', async () => {
    const d = await fakeDaemon(() => ({ text: '', code: 0 }));
    d.server.removeAllListeners('connection');
    d.server.on('connection', (sock) => sock.on('data', () => {})); // reads, never answers
    const vty = new VtyClient(d.path, { answerTimeoutMs: 200 });
    cleanup.push(async () => (await vty.close(), d.server.close(), await rm(d.dir, { recursive: true })));
    await expect(vty.show('show bfd peers json')).rejects.toThrow(/gave no answer to 'enable' within 0.2 s/);
  });

  it('closes a connection left idle, and says it is no longer usable (the caller opens another)', async () => {
    const d = await fakeDaemon(() => ({ text: '[]', code: 0 }));
    const vty = new VtyClient(d.path, { idleCloseMs: 100 });
    cleanup.push(async () => (await vty.close(), d.server.close(), await rm(d.dir, { recursive: true })));
    expect(await vty.show('show bfd peers json')).toBe('[]');
    expect(vty.usable).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(vty.usable).toBe(false);
    await expect(vty.show('show bfd peers json')).rejects.toThrow(/closed the connection/);
  });

  it('names the socket when the daemon is not there', async () => {
    const vty = new VtyClient('/nonexistent/bfdd.vty');
    await expect(vty.show('show bfd peers json')).rejects.toThrow(/cannot connect to \/nonexistent\/bfdd.vty/);
  });

  it('refuses a command of more than one line (it would be two commands)', async () => {
    await expect(new VtyClient('/x').show('show x\nconfigure')).rejects.toThrow(/one line/);
  });
});
