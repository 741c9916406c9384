// A lab's whole life on the netns runtime: deploy, status, exec, destroy; two labs side by
// side; teardown on SIGTERM/SIGINT; `destroy` cleaning up after a kill -9. Each check looks
// for what would leak: namespaces, daemons, state files.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { labNamespaces, labProcesses, netproof, spawnNetproof } from '../../../fixtures/cli.ts';
import { editFrrConf, generatedLab, neighborOn } from '../../../fixtures/faults.ts';
import { waitFor } from '../../expect/wait-for.ts';

const labs = ['e2e-life-a', 'e2e-life-b', 'e2e-sigterm', 'e2e-sigint', 'e2e-kill9'];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

async function expectGone(lab: string) {
  expect(await labNamespaces(lab)).toEqual([]);
  expect(await labProcesses(lab)).toEqual([]);
  expect(existsSync(`/run/netproof/${lab}`)).toBe(false);
}

/** A lab whose BGP never converges, so `run` keeps polling until it is interrupted. */
async function neverConverging(name: string) {
  const lab = await generatedLab(name, { spines: 1, leaves: 2, hosts: 0 });
  await editFrrConf(lab, 'leaf1', (c) => c.replace(`neighbor ${neighborOn(c, 'spine1')} remote-as 65000`, `neighbor ${neighborOn(c, 'spine1')} remote-as 65099`));
  return lab;
}

async function waitUntilRunning(lab: string) {
  await waitFor(
    async () => {
      const r = await netproof(['status', '--json']);
      const running = (JSON.parse(r.stdout) as { name: string; state: string }[]).some((l) => l.name === lab && l.state === 'running');
      return running ? { ok: true, value: true } : { ok: false, reason: `lab ${lab} not running yet: ${r.stdout}` };
    },
    { timeoutMs: 30_000, intervalsMs: [200], description: `lab ${lab} to be deployed` },
  );
}

describe('netns lab lifecycle', () => {
  test('deploy, status, exec and destroy; two labs with different names run at once', async () => {
    const a = await generatedLab('e2e-life-a', { spines: 1, leaves: 2, hosts: 0 });
    const b = await generatedLab('e2e-life-b', { spines: 1, leaves: 2, hosts: 0 });
    for (const lab of [a, b]) {
      const r = await netproof(['deploy', lab.file]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const status = await netproof(['status']);
    expect(status.stdout).toMatch(/^e2e-life-a\tnetns\trunning/m);
    expect(status.stdout).toMatch(/^e2e-life-b\tnetns\trunning/m);
    expect(await labNamespaces('e2e-life-a')).toEqual(['np.e2e-life-a.leaf1', 'np.e2e-life-a.leaf2', 'np.e2e-life-a.spine1'].sort());

    // Same addresses in both labs, isolated from each other and from the host.
    const addr = await netproof(['exec', 'e2e-life-b', 'leaf1', '--', 'ip', '-j', 'addr', 'show', 'dev', 'lo']);
    expect(addr.exitCode).toBe(0);
    expect(JSON.parse(addr.stdout)[0].addr_info.map((x: { local: string }) => x.local)).toContain('10.255.1.1');
    const failing = await netproof(['exec', 'e2e-life-a', 'leaf1', '--', 'ip', 'link', 'show', 'dev', 'nonexistent0']);
    expect(failing.exitCode).not.toBe(0);

    const destroyA = await netproof(['destroy', 'e2e-life-a']);
    expect(destroyA.exitCode).toBe(0);
    await expectGone('e2e-life-a');
    // Destroying one lab never touches another.
    expect(await labNamespaces('e2e-life-b')).toHaveLength(3);
    expect(await labProcesses('e2e-life-b')).not.toEqual([]);
    await netproof(['destroy', 'e2e-life-b']);
    await expectGone('e2e-life-b');
  });

  test.each([
    { signal: 'SIGTERM', name: 'e2e-sigterm', code: 143 },
    { signal: 'SIGINT', name: 'e2e-sigint', code: 130 },
  ] as const)('$signal during run tears the lab down and exits $code', async ({ signal, name, code }) => {
    const lab = await neverConverging(name);
    const child = spawnNetproof(['run', lab.file, '--convergence-timeout', '120', '--report-dir', `/tmp/netproof-${name}`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await waitUntilRunning(name);
    child.kill(signal);
    expect(await exited, child.output()).toBe(code);
    await expectGone(name);
  });

  test('after kill -9, status shows the leftovers and destroy removes them', async () => {
    const lab = await neverConverging('e2e-kill9');
    const child = spawnNetproof(['run', lab.file, '--convergence-timeout', '120', '--report-dir', '/tmp/netproof-e2e-kill9']);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitUntilRunning('e2e-kill9');
    child.kill('SIGKILL');
    await exited;
    expect(await labNamespaces('e2e-kill9')).toHaveLength(3);
    const status = await netproof(['status']);
    expect(status.stdout).toMatch(/^e2e-kill9\tnetns\trunning/m);
    const destroy = await netproof(['destroy', 'e2e-kill9']);
    expect(destroy.exitCode).toBe(0);
    await expectGone('e2e-kill9');
  });
});
