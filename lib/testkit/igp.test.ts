import { describe, expect, test } from 'vitest';
import type { StartedLab } from '../lab/started-lab.ts';
import { igpUnderlay } from './igp.ts';

const ospfConf = (lo: string, addr?: string) =>
  ['router ospf', ' passive-interface lo', 'exit', 'interface lo', ` ip address ${lo}/32`, ' ip ospf area 0', 'exit', 'interface eth1', ...(addr ? [` ip address ${addr}/31`] : []), ' ip ospf area 0', ' ip ospf bfd', 'exit', ''].join('\n');

/** A stand-in lab: two routers joined by r1:eth1 – r2:eth1, each with the given frr.conf text and daemons. */
function lab(confs: Record<string, string>, daemons = ['zebra', 'ospfd', 'bfdd']): StartedLab {
  const nodes = Object.entries(confs).map(([name, configText]) => ({ name, frrDaemons: daemons, spec: { frr: { configText } } }));
  return {
    nodes: () => nodes,
    topology: { links: [{ endpoints: [{ node: 'r1', iface: 'eth1' }, { node: 'r2', iface: 'eth1' }] }] },
  } as unknown as StartedLab;
}

describe('igpUnderlay', () => {
  test('one BFD session per adjacency end, peered at the neighbor address the file declares, and each loopback expected at the other router', async () => {
    const u = await igpUnderlay(lab({ r1: ospfConf('10.255.0.1', '10.0.0.0'), r2: ospfConf('10.255.0.2', '10.0.0.1') }));
    expect(u?.sessions).toEqual([
      { at: 'r1', iface: 'eth1', neighbor: 'r2', neighborIface: 'eth1', peerAddress: '10.0.0.1' },
      { at: 'r2', iface: 'eth1', neighbor: 'r1', neighborIface: 'eth1', peerAddress: '10.0.0.0' },
    ]);
    const routes = u!.routes.filter((r) => r.prefix.endsWith('/32')).map((r) => `${r.at} ${r.prefix} ${r.protocol} ×${r.width}`);
    expect(routes.sort()).toEqual(['r1 10.255.0.2/32 ospf ×1', 'r2 10.255.0.1/32 ospf ×1']);
  });

  test('a link with no address declared is peered by interface, as an unnumbered session is', async () => {
    const u = await igpUnderlay(lab({ r1: ospfConf('10.255.0.1'), r2: ospfConf('10.255.0.2') }));
    expect(u?.sessions.map((s) => [s.at, s.peerAddress, s.unnumbered])).toEqual([
      ['r1', 'eth1', true],
      ['r2', 'eth1', true],
    ]);
  });

  test('undefined when no router runs ospfd or isisd', async () => {
    expect(await igpUnderlay(lab({ r1: '', r2: '' }, ['zebra', 'bgpd']))).toBeUndefined();
  });
});
