// `netproof fault` before it touches a lab: a target it cannot read, or a daemon the node does
// not run, is a usage error (exit 2) that says what would have been right. And holding a fault
// until Ctrl-C really holds it, then undoes it.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../errors.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { waitFor } from '../wait-for.ts';
import { injectFault } from './fault.ts';

/** A lab whose one node, host1, runs these daemons and may not be touched. */
function labWith(daemons: string[]): { lab: StartedLab; stopped: string[] } {
  const stopped: string[] = [];
  const host1 = {
    name: 'host1',
    daemons,
    frrDaemons: daemons.filter((d) => !d.startsWith('ov')),
    stopDaemon: async (d: string) => {
      stopped.push(d);
      throw new Error('not on a fake lab');
    },
  } as unknown as NodeHandle;
  const lab = {
    name: 'unit',
    node: (name: string) => {
      if (name !== 'host1') throw new UsageError(`lab unit has no node "${name}" (nodes: host1)`);
      return host1;
    },
  } as unknown as StartedLab;
  return { lab, stopped };
}

async function usageError(f: () => Promise<unknown>): Promise<UsageError> {
  const err = await f().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT.usage);
  return err as UsageError;
}

describe('injectFault stop-daemon', () => {
  const host = ['zebra', 'staticd', 'bgpd', 'bfdd', 'ovsdb-server', 'ovs-vswitchd', 'ovn-controller'];

  it.each(['host1', 'host1:', ':ovn-controller', 'host1:ovn-controller:x'])('refuses the target "%s", showing the form it takes', async (target) => {
    const { lab, stopped } = labWith(host);
    const err = await usageError(() => injectFault(lab, 'stop-daemon', target, {}));
    expect(err.message).toBe(`stop-daemon takes node:daemon, e.g. leaf1:bgpd or host1:ovn-controller (got "${target}")`);
    expect(stopped).toEqual([]);
  });

  it('a daemon the node does not run lists the daemons it does run', async () => {
    const { lab, stopped } = labWith(host);
    const err = await usageError(() => injectFault(lab, 'stop-daemon', 'host1:ovn-northd', {}));
    expect(err.message).toBe('host1 runs no ovn-northd (daemons: zebra, staticd, bgpd, bfdd, ovsdb-server, ovs-vswitchd, ovn-controller)');
    expect(stopped).toEqual([]);
  });

  it('an unknown node lists the lab’s nodes', async () => {
    const { lab } = labWith(host);
    const err = await usageError(() => injectFault(lab, 'stop-daemon', 'host9:ovn-controller', {}));
    expect(err.message).toContain('host9');
    expect(err.message).toContain('nodes: host1');
  });

  it.each(['ovn-controller', 'ovs-vswitchd', 'ovsdb-server', 'bgpd'])('passes %s on to the node to stop', async (daemon) => {
    const { lab, stopped } = labWith(host);
    await expect(injectFault(lab, 'stop-daemon', `host1:${daemon}`, {})).rejects.toThrow('not on a fake lab');
    expect(stopped).toEqual([daemon]);
  });
});

describe('holdThenRestore', () => {
  it('without --for, holds the fault until Ctrl-C, then undoes it and exits 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-hold-'));
    const script = join(dir, 'hold.ts');
    const fault = "{ description: 'a fault', appliedAtNs: 0n, restore: async () => void process.stdout.write('restored\\n'), [Symbol.asyncDispose]: async () => {} }";
    await writeFile(script, `import { holdThenRestore } from ${JSON.stringify(join(import.meta.dirname, 'fault.ts'))};\nawait holdThenRestore(${fault});\n`);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => (out.includes('holding the fault') ? { ok: true, value: true } : { ok: false, reason: out || 'no output yet' }), { timeoutMs: 10_000, description: 'the fault to be held' });
    // Still holding a moment later: nothing but the signal ends it.
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode, out).toBe(null);
    child.kill('SIGINT');
    expect(await exited, out).toBe(130);
    expect(out).toContain('restored\n');
  }, 20_000);

  it('a signal while the fault is still being injected waits for it, then undoes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-hold-'));
    const script = join(dir, 'inject.ts');
    const fault = "{ description: 'a fault', appliedAtNs: 0n, restore: async () => void process.stdout.write('restored\\n'), [Symbol.asyncDispose]: async () => {} }";
    const inject = `async () => { process.stdout.write('injecting\\n'); await new Promise((r) => setTimeout(r, 1000)); process.stdout.write('injected\\n'); return ${fault}; }`;
    await writeFile(script, `import { injectHoldRestore } from ${JSON.stringify(join(import.meta.dirname, 'fault.ts'))};\nawait injectHoldRestore(${inject}, 60);\n`);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => (out.includes('injecting') ? { ok: true, value: true } : { ok: false, reason: out || 'no output yet' }), { timeoutMs: 10_000, description: 'the injection to start' });
    child.kill('SIGTERM');
    expect(await exited, out).toBe(143);
    expect(out).toMatch(/injected\n[^]*restored\n/);
  }, 20_000);
});
