// The matchers against stand-in nodes whose commands answer as FRR, iproute2 and ncat do:
// what passes, what fails, and what the failure says (actual and expected for the runner).
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../exec.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import './matchers.ts';
import { registerLab } from './registry.ts';
import { CONVERGENCE_TIMEOUT_ENV } from './settings.ts';

type Answer = (argv: readonly string[]) => Partial<ExecResult> | undefined;

function standInLab(answers: Record<string, Answer>, addrs: Record<string, string[]>): StartedLab {
  const nodes = Object.keys(addrs).map((name) => {
    const node = {
      name,
      spec: { name, role: 'router' },
      frrDaemons: ['zebra', 'bgpd'],
      exec: async (argv: readonly string[]): Promise<ExecResult> => {
        if (argv[0] === 'ip' && argv.includes('addr')) {
          return { argv, exitCode: 0, stdout: JSON.stringify([{ ifname: 'eth1', addr_info: addrs[name]!.map((local) => ({ family: 'inet', local, prefixlen: 24, scope: 'global' })) }]), stderr: '', durationMs: 0 };
        }
        const a = answers[name]?.(argv) ?? { exitCode: 1, stderr: `unexpected: ${argv.join(' ')}` };
        return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...a };
      },
      spawn: () => ({ argv: [], exited: new Promise(() => {}), output: () => '', stop: async () => {} }),
      vtysh: async (c: string) => node.exec(['vtysh', '-c', c]),
      ipJson: async (args: readonly string[]) => {
        const r = await node.exec(['ip', '-j', ...args]);
        if (r.exitCode !== 0) throw new Error(r.stderr);
        return r.stdout;
      },
    };
    return node as unknown as NodeHandle;
  });
  // A one-second deadline (--convergence-timeout 1): a failing eventual truth gives up after about a second.
  process.env[CONVERGENCE_TIMEOUT_ENV] = '1';
  const lab = { name: 'unit', times: { deployStartedAt: Date.now(), deployedAt: 0 }, topology: { nodes: [] }, nodes: () => nodes, node: (n: string) => nodes.find((x) => x.name === n)! } as unknown as StartedLab;
  return registerLab(lab);
}

const listening = (argv: readonly string[]) => (argv[0] === 'ss' ? { stdout: 'LISTEN 0 5 *:5432 *:*\n' } : undefined);

describe('toReach', () => {
  it('passes when the TCP connect succeeds, and `.not` fails showing the attempt that got through', async () => {
    const lab = standInLab({ vm1: (argv) => (argv[0] === 'ncat' ? { exitCode: 0 } : undefined), vm2: listening }, { vm1: ['10.20.1.11'], vm2: ['10.20.2.12'] });
    await expect(lab.node('vm1')).toReach('10.20.2.12', { protocol: 'tcp', port: 5432 });
    await expect(expect(lab.node('vm1')).not.toReach('10.20.2.12', { protocol: 'tcp', port: 5432 })).rejects.toThrow(
      'expected vm1 → 10.20.2.12 tcp/5432 (vm2) to be refused or to time out, but attempt 1 of 3 succeeded (connected)',
    );
  });

  it('fails after polling, naming the pair, protocol, port and what ncat said; `.not` passes after three failed attempts', async () => {
    let tries = 0;
    const lab = standInLab({ vm1: (argv) => (argv[0] === 'ncat' ? (tries++, { exitCode: 1, stderr: 'Ncat: TIMEOUT.\n' }) : undefined), vm2: listening }, { vm1: ['10.20.1.11'], vm2: ['10.20.2.12'] });
    await expect(expect(lab.node('vm1')).toReach('10.20.2.12', { protocol: 'tcp', port: 22 })).rejects.toThrow(/^expected vm1 → 10\.20\.2\.12 tcp\/22 \(vm2\) to succeed, but \d+ attempts over [\d.]+ s failed; last: ncat: TIMEOUT\.$/);
    tries = 0;
    await expect(lab.node('vm1')).not.toReach('10.20.2.12', { protocol: 'tcp', port: 22 });
    expect(tries).toBe(3);
  });

  it('refuses an address no lab node holds, before sending anything', async () => {
    let sent = false;
    const lab = standInLab({ vm1: (argv) => ((sent = argv[0] === 'ping' || sent), { exitCode: 0 }) }, { vm1: ['10.20.1.11'] });
    await expect(expect(lab.node('vm1')).toReach('192.0.2.1')).rejects.toThrow('toReach: 192.0.2.1 is not an address of any node of lab unit');
    expect(sent).toBe(false);
  });

  it('asks for a port for TCP and UDP', async () => {
    const lab = standInLab({}, { vm1: ['10.20.1.11'] });
    await expect(expect(lab.node('vm1')).toReach('10.20.1.11', { protocol: 'udp' })).rejects.toThrow("toReach: udp needs a port (1–65535), e.g. toReach('10.20.1.11', { protocol: 'udp', port: 5432 })");
  });
});

describe('toHaveRoute', () => {
  const rib = (nexthops: object[], protocol = 'bgp') => JSON.stringify({ '10.255.2.2/32': [{ prefix: '10.255.2.2/32', protocol, selected: true, installed: true, nexthops }] });
  const kernel = (nexthops: object[] | undefined, extra: object = {}) => JSON.stringify([{ dst: '10.255.2.2', protocol: 'bgp', ...(nexthops ? { nexthops } : { dev: 'eth1', gateway: '10.1.0.0' }), ...extra }]);
  const leaf = (ribJson: string, kernelJson: string): Answer => (argv) => (argv[0] === 'vtysh' ? { stdout: ribJson } : argv[0] === 'ip' ? { stdout: kernelJson } : undefined);
  const two = [{ ip: '10.1.0.0', interfaceName: 'eth1', fib: true }, { ip: '10.1.0.2', interfaceName: 'eth2', fib: true }];

  it('passes with the right width in RIB and kernel', async () => {
    const lab = standInLab({ leaf1: leaf(rib(two), kernel([{ gateway: '10.1.0.0', dev: 'eth1' }, { gateway: '10.1.0.2', dev: 'eth2' }])) }, { leaf1: ['10.255.1.1'] });
    await expect(lab.node('leaf1')).toHaveRoute('10.255.2.2/32', { nexthops: 2 });
    await expect(lab.node('leaf1')).toHaveRoute('10.255.2.2/32');
  });

  it('fails naming what RIB and kernel last showed', async () => {
    const lab = standInLab({ leaf1: leaf(rib([two[0]!]), kernel(undefined)) }, { leaf1: ['10.255.1.1'] });
    await expect(expect(lab.node('leaf1')).toHaveRoute('10.255.2.2/32', { nexthops: 2 })).rejects.toThrow(
      /^leaf1: expected a selected, installed route to 10\.255\.2\.2\/32 with 2 next hops in the RIB and the kernel FIB; last seen after [\d.]+ s: RIB: bgp via eth1 via 10\.1\.0\.0; kernel: unicast \(bgp\) via eth1 via 10\.1\.0\.0$/,
    );
  });

  it('a blackhole is not a route: `.not` passes', async () => {
    const lab = standInLab({ leaf1: leaf(rib([{ blackhole: true, fib: true }], 'static'), kernel([{}], { type: 'blackhole', protocol: 'static' })) }, { leaf1: ['10.255.1.1'] });
    await expect(lab.node('leaf1')).not.toHaveRoute('10.255.2.2/32');
  });
});
