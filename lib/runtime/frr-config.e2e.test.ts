// A router's configuration is applied the way FRR applies it (daemons first, then frr.conf
// through vtysh; per-daemon files read by their own daemon), so the lab runs what the user
// wrote wherever the lines stand; what FRR refuses fails the run, naming node, file and line.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { bindExtraFile, editFrrConf, generatedLab } from '../../fixtures/faults.ts';
import { labFor, leftovers, RUNTIMES } from '../../fixtures/runtimes.ts';
import { statementsNotRunning } from '../expect/running-config.ts';
import { waitFor } from '../wait-for.ts';
import type { Summary } from '../report/summary-reporter.ts';

const labs: string[] = [];
afterAll(async () => {
  for (const lab of labs) await netproof(['destroy', lab]);
});

/** The bfd block moved before `router bgp`, and static routes after the interface, bfd and router bgp blocks. */
function userLines(conf: string): string {
  const bfd = conf.slice(conf.indexOf('!\nbfd\n'));
  const rest = conf.slice(0, conf.indexOf('!\nbfd\n'));
  const bgp = rest.indexOf('!\nrouter bgp');
  return [
    rest.slice(0, bgp),
    '!\nip route 10.99.1.0/24 blackhole\n', // after the interface blocks (staticd does not own them)
    bfd.replace(/!\n$/, ''),
    '!\nip route 10.99.2.0/24 10.1.0.0\n', // after the bfd block (bgpd and staticd do not own it)
    rest.slice(bgp), // router bgp after bfd
    'ip route 10.99.3.0/24 blackhole\n', // the very end, after router bgp
  ].join('');
}

describe.each(RUNTIMES)('FRR configuration applied as FRR applies it, on %s', (runtime) => {
  test('lines a user adds anywhere take effect: in running-config, the RIB and the kernel FIB; every statement of every router runs', async () => {
    const lab = await generatedLab(labFor('e2e-frr-lines', runtime), { spines: 1, leaves: 2, hosts: 2 });
    labs.push(lab.name);
    await editFrrConf(lab, 'leaf1', userLines);
    // spine1's frr.conf names no host, as many users' do: FRR takes the node's name, as in a containerlab container.
    await editFrrConf(lab, 'spine1', (conf) => conf.replace(/^hostname spine1\n/m, ''));
    await bindExtraFile(lab, 'leaf2', 'staticd.conf', 'ip route 10.99.9.0/24 blackhole\n', '/etc/frr/staticd.conf');
    const deploy = await netproof(['deploy', lab.file, '--runtime', runtime]);
    expect(deploy.exitCode, deploy.stdout + deploy.stderr).toBe(0);
    const exec = async (node: string, ...argv: string[]) => {
      const r = await netproof(['exec', lab.name, node, '--', ...argv]);
      expect(r.exitCode, `${node}: ${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };

    const running = await exec('leaf1', 'vtysh', '-c', 'show running-config');
    expect(running).toContain('ip route 10.99.1.0/24 blackhole');
    expect(running).toContain('ip route 10.99.2.0/24 10.1.0.0');
    expect(running).toContain('ip route 10.99.3.0/24 blackhole');
    // zebra installs what staticd hands it a moment after vtysh returns: poll, never sleep.
    await waitFor(
      async () => {
        const rib = JSON.parse(await exec('leaf1', 'vtysh', '-c', 'show ip route static json')) as Record<string, { protocol: string; selected?: boolean; installed?: boolean }[]>;
        const kernel = JSON.parse(await exec('leaf1', 'ip', '-j', 'route', 'show', 'table', 'main')) as { dst: string; type?: string; gateway?: string }[];
        const missing = [
          ...['10.99.1.0/24', '10.99.2.0/24', '10.99.3.0/24'].filter((p) => !(rib[p]?.[0]?.protocol === 'static' && rib[p][0].selected && rib[p][0].installed)).map((p) => `${p} not selected and installed in the RIB`),
          ...(kernel.some((k) => k.dst === '10.99.1.0/24' && k.type === 'blackhole') ? [] : ['10.99.1.0/24 blackhole not in the kernel']),
          ...(kernel.some((k) => k.dst === '10.99.2.0/24' && k.gateway === '10.1.0.0') ? [] : ['10.99.2.0/24 via 10.1.0.0 not in the kernel']),
          ...(kernel.some((k) => k.dst === '10.99.3.0/24' && k.type === 'blackhole') ? [] : ['10.99.3.0/24 blackhole not in the kernel']),
        ];
        return missing.length ? { ok: false, reason: `leaf1: ${missing.join('; ')}` } : { ok: true, value: true };
      },
      { timeoutMs: 15_000, intervalsMs: [100, 250], description: "leaf1's static routes in its RIB and kernel FIB" },
    );
    // spine1's bgpd tells its peers it is spine1 (BGP's hostname capability), not the machine it runs on.
    const neighbors = JSON.parse(await exec('leaf1', 'vtysh', '-c', 'show bgp neighbors json')) as Record<string, { hostname?: string }>;
    expect(Object.values(neighbors).map((n) => n.hostname)).toContain('spine1');
    // A per-daemon file is read by its own daemon.
    expect(JSON.parse(await exec('leaf2', 'ip', '-j', 'route', 'show', '10.99.9.0/24'))).toEqual([expect.objectContaining({ type: 'blackhole' })]);

    // Every statement of every router's frr.conf is in its running configuration.
    for (const node of ['spine1', 'leaf1', 'leaf2', 'host1', 'host2']) {
      const written = await readFile(join(lab.dir, node, 'frr.conf'), 'utf8');
      expect(statementsNotRunning(written, await exec(node, 'vtysh', '-c', 'show running-config')), node).toEqual([]);
    }

    // router bgp after bfd came up: the fabric converges and the run is clean.
    const reportDir = await mkdtemp(join(tmpdir(), 'netproof-report-'));
    const tested = await netproof(['test', lab.name, '--suite', 'frr-config', '--suite', 'bgp-convergence', '--report-dir', reportDir]);
    expect(tested.exitCode, tested.stdout + tested.stderr).toBe(0);
    expect((JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary).frrConfigProblems).toEqual([]);

    expect((await netproof(['destroy', lab.name])).exitCode).toBe(0);
    expect(await leftovers(lab.name)).toEqual([]);
  });

  // On netns: refusals are read from what vtysh said, through the runtime-neutral NodeShell; the first test applies the same files on Docker.
  test.runIf(runtime === 'netns')('a line FRR refuses fails the run naming node, file, line and FRR’s message; a blackhole for a TEP fails convergence naming the leaf and the prefix', async () => {
    const lab = await generatedLab(labFor('e2e-frr-refused', runtime), { spines: 1, leaves: 2, hosts: 2 });
    labs.push(lab.name);
    let line = 0;
    await editFrrConf(lab, 'leaf2', (conf) => {
      const edited = conf.replace('!\nrouter bgp', '!\nip route 10.255.2.1/32 blackhole\nfrobnicate the widgets\n!\nrouter bgp');
      line = edited.split('\n').indexOf('frobnicate the widgets') + 1;
      return edited;
    });
    await bindExtraFile(lab, 'leaf1', 'staticd.conf', 'ip route 10.99.9.0/24 blackhole\nfrobnicate the gadgets\n', '/etc/frr/staticd.conf');
    const reportDir = await mkdtemp(join(tmpdir(), 'netproof-report-'));
    const run = await netproof(['run', lab.file, '--runtime', runtime, '--report-dir', reportDir, '--suite', 'frr-config', '--suite', 'bgp-convergence', '--convergence-timeout', '10']);
    const out = run.stdout + run.stderr;
    expect(run.exitCode, out).toBe(1);
    const leaf2Line = `leaf2: ${join(lab.dir, 'leaf2', 'frr.conf')}:${line}: "frobnicate the widgets": % Unknown command`;
    const leaf1Line = `leaf1: ${join(lab.dir, 'leaf1', 'staticd.conf')}:2: "frobnicate the gadgets": No such command (staticd)`;
    // At the top of the output, before the suites run.
    expect(run.stderr).toContain(`FRR refused 2 lines of the routers' configuration`);
    expect(run.stderr.indexOf(leaf2Line)).toBeGreaterThan(-1);
    expect(run.stdout.indexOf('RUN')).toBeGreaterThan(-1);

    const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
    expect(summary.status).toBe('failed');
    expect(summary.frrConfigProblems).toEqual([
      { node: 'leaf1', file: join(lab.dir, 'leaf1', 'staticd.conf'), daemon: 'staticd', line: 2, statement: 'frobnicate the gadgets', message: 'No such command' },
      { node: 'leaf2', file: join(lab.dir, 'leaf2', 'frr.conf'), line, statement: 'frobnicate the widgets', message: '% Unknown command' },
    ]);
    const errorsOf = (name: string) => summary.tests.filter((t) => t.name.includes(name)).flatMap((t) => t.errors).join('\n');
    expect(errorsOf('as written')).toContain(leaf2Line);
    expect(errorsOf('as written')).toContain(leaf1Line);
    // The blackhole wins over BGP at leaf2 only: the selected route is named, not a missing BGP path.
    const routes = errorsOf('loopback');
    expect(routes).toMatch(/^leaf2: 10\.255\.2\.1\/32 \(loopback of host1\) is routed by static in the RIB \(via blackhole\), not by BGP; expected bgp/m);
    expect(routes).not.toMatch(/^(leaf1|spine1|host\d): /m);
    expect(summary.tests.find((t) => t.name.includes('Established'))?.status).toBe('passed');
    expect(await leftovers(lab.name)).toEqual([]);
  });
});
