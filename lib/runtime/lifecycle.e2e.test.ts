// A lab's whole life on each runtime: deploy, status, exec, destroy; two labs side by side;
// teardown on SIGTERM/SIGINT; `destroy` cleaning up after a kill -9. Each check looks for
// what would leak: namespaces, containers, daemons, state files.
import { afterAll, describe, expect, test } from 'vitest';
import { labNamespaces, netproof, spawnNetproof } from '../../fixtures/cli.ts';
import { labContainers, labFor, leftovers, RUNTIMES, type RuntimeName } from '../../fixtures/runtimes.ts';
import { editFrrConf, generatedLab, neighborOn } from '../../fixtures/faults.ts';
import { waitFor } from '../wait-for.ts';

const labs = RUNTIMES.flatMap((r) => ['e2e-life-a', 'e2e-life-b', 'e2e-sigterm', 'e2e-sigint', 'e2e-kill9'].map((n) => labFor(n, r)));
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

async function expectGone(lab: string) {
  expect(await leftovers(lab)).toEqual([]);
}

/** The lab's nodes as the runtime holds them: namespaces or containers, both named np.<lab>.<node>. */
async function instances(lab: string, runtime: RuntimeName): Promise<string[]> {
  return (runtime === 'netns' ? await labNamespaces(lab) : await labContainers(lab)).sort();
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

describe.each(RUNTIMES)('lab lifecycle on %s', (runtime) => {
  test('deploy, status, exec and destroy; two labs with different names run at once', async () => {
    const a = await generatedLab(labFor('e2e-life-a', runtime), { spines: 1, leaves: 2, hosts: 0 });
    const b = await generatedLab(labFor('e2e-life-b', runtime), { spines: 1, leaves: 2, hosts: 0 });
    for (const lab of [a, b]) {
      const r = await netproof(['deploy', lab.file, '--runtime', runtime]);
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const status = await netproof(['status']);
    expect(status.stdout).toContain(`${a.name}\t${runtime}\trunning`);
    expect(status.stdout).toContain(`${b.name}\t${runtime}\trunning`);
    expect(await instances(a.name, runtime)).toEqual(['leaf1', 'leaf2', 'spine1'].map((n) => `np.${a.name}.${n}`));

    // Same addresses in both labs, isolated from each other and from the host.
    const addr = await netproof(['exec', b.name, 'leaf1', '--', 'ip', '-j', 'addr', 'show', 'dev', 'lo']);
    expect(addr.exitCode).toBe(0);
    expect(JSON.parse(addr.stdout)[0].addr_info.map((x: { local: string }) => x.local)).toContain('10.255.1.1');
    const failing = await netproof(['exec', a.name, 'leaf1', '--', 'ip', 'link', 'show', 'dev', 'nonexistent0']);
    expect(failing.exitCode).not.toBe(0);
    // An unknown node is bad usage (exit 2), listing the lab's nodes.
    const unknown = await netproof(['exec', a.name, 'leaf9', '--', 'true']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain(`lab ${a.name} has no node "leaf9" (nodes: spine1, leaf1, leaf2)`);

    const destroyA = await netproof(['destroy', a.name]);
    expect(destroyA.exitCode).toBe(0);
    await expectGone(a.name);
    // Destroying one lab never touches another.
    expect(await instances(b.name, runtime)).toHaveLength(3);
    expect((await netproof(['exec', b.name, 'spine1', '--', 'vtysh', '-c', 'show version'])).exitCode).toBe(0);
    await netproof(['destroy', b.name]);
    await expectGone(b.name);
  });

  // Both signals share one handler: on Docker, SIGINT stands for both (interrupts.e2e draws both at random moments on netns).
  const signals = [
    { signal: 'SIGTERM', name: 'e2e-sigterm', code: 143 },
    { signal: 'SIGINT', name: 'e2e-sigint', code: 130 },
  ] as const;
  test.each(runtime === 'docker' ? signals.filter((s) => s.signal === 'SIGINT') : signals)('$signal during run tears the lab down and exits $code', async ({ signal, name, code }) => {
    const lab = await neverConverging(labFor(name, runtime));
    const child = spawnNetproof(['run', lab.file, '--runtime', runtime, '--convergence-timeout', '120', '--report-dir', `/tmp/netproof-${lab.name}`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await waitUntilRunning(lab.name);
    child.kill(signal);
    expect(await exited, child.output()).toBe(code);
    await expectGone(lab.name);
  });

  test('after kill -9, status shows the leftovers and destroy removes them', async () => {
    const lab = await neverConverging(labFor('e2e-kill9', runtime));
    const child = spawnNetproof(['run', lab.file, '--runtime', runtime, '--convergence-timeout', '120', '--report-dir', `/tmp/netproof-${lab.name}`]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitUntilRunning(lab.name);
    child.kill('SIGKILL');
    await exited;
    expect(await instances(lab.name, runtime)).toHaveLength(3);
    // Not `running`: the run that would have torn it down is gone.
    const status = await netproof(['status']);
    expect(status.stdout).toContain(`${lab.name}\t${runtime}\torphaned\t3 nodes: spine1 leaf1 leaf2`);
    expect(status.stdout).toMatch(new RegExp(`\\(left over: netproof run \\(pid \\d+\\) ended without tearing it down; remove it: netproof destroy ${lab.name}\\)`));
    const destroy = await netproof(['destroy', lab.name]);
    expect(destroy.exitCode).toBe(0);
    await expectGone(lab.name);
  });
});
