import { Address4 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InvalidInputError } from '../errors.ts';
import { parseOverlay } from '../topology/load-overlay.ts';
import type { Overlay } from '../model/overlay.ts';
import { expectedMatrix } from '../plan/acl-matrix.ts';
import { OVN_GENEVE_OVERHEAD_BYTES, planClos, type ClosOptions } from '../plan/clos.ts';
import { parseTopology } from '../topology/load.ts';
import { renderClab } from './clab.ts';
import { renderOverlayIntent, TENANT_SUBNETS } from './overlay-intent.ts';

const DIR = '/labs/ov';

/** What `generate clos` writes, read back the way `netproof` reads it: topology first, then the intent against it. */
function roundTrip(opts: Omit<ClosOptions, 'name'>): { overlay: Overlay; plan: ReturnType<typeof planClos> } {
  const plan = planClos({ name: 'ov', ...opts });
  const topology = parseTopology(stringify(renderClab(plan)), `${DIR}/ov.clab.yml`, { exists: () => true });
  const intent = renderOverlayIntent(plan);
  if (!intent) throw new Error('no overlay intent rendered');
  try {
    return { overlay: parseOverlay(stringify(intent), `${DIR}/ov.overlay.yml`, topology), plan };
  } catch (e) {
    // Show every problem in the failure, not just "threw".
    if (e instanceof InvalidInputError) expect(e.problems).toEqual([]);
    throw e;
  }
}

describe('renderOverlayIntent', () => {
  it('renders nothing for a lab without VMs', () => {
    expect(renderOverlayIntent(planClos({ name: 'x', spines: 2, leaves: 2, hosts: 2 }))).toBeUndefined();
  });

  it.each([
    { spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 },
    { spines: 1, leaves: 2, hosts: 1, vmsPerHost: 2 },
    { spines: 4, leaves: 6, hosts: 9, vmsPerHost: 8 },
    { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, hostMtu: 9000, fabricMtu: 9000 },
    { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, vmMtu: 1280 },
  ])('reads back without a problem against the rendered topology: %j', (opts) => {
    const { overlay, plan } = roundTrip(opts);
    expect(overlay.vms).toHaveLength(plan.overlay!.vms.length);
  });

  it('puts every planned VM on its host’s port, on its switch, with its address and MTU', () => {
    const { overlay, plan } = roundTrip({ spines: 2, leaves: 4, hosts: 4, vmsPerHost: 2 });
    for (const v of plan.overlay!.vms) {
      const port = overlay.vms.find((p) => p.name === v.name);
      expect(port, v.name).toMatchObject({ host: v.host, hostIface: v.hostIface, iface: 'eth1', switch: v.switch, ip: v.ip, mtu: v.mtu, groups: [v.switch], prefixLength: 24 });
    }
  });

  it('has two tenant switches joined by one router, each VM inside its switch’s subnet', () => {
    const { overlay } = roundTrip({ spines: 2, leaves: 2, hosts: 2, vmsPerHost: 2 });
    expect(overlay.switches.map((s) => [s.name, s.subnet])).toEqual(Object.entries(TENANT_SUBNETS));
    expect(overlay.routers.map((r) => [r.name, r.switches])).toEqual([['tenant', ['web', 'db']]]);
    for (const v of overlay.vms) {
      const subnet = overlay.switches.find((s) => s.name === v.switch)!.subnet;
      expect(new Address4(v.ip).isInSubnet(new Address4(subnet)), `${v.name} ${v.ip} in ${subnet}`).toBe(true);
      expect(v.ip, `${v.name} is not the gateway`).not.toBe(overlay.switches.find((s) => s.name === v.switch)!.gateway);
    }
  });

  it('gives the router a gateway on the provider network, HA over the first two hosts, SNAT for both subnets and the last web VM a floating IP', () => {
    const { overlay } = roundTrip({ spines: 2, leaves: 2, hosts: 3, vmsPerHost: 2 });
    expect(overlay.providers).toEqual([{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }]);
    expect(overlay.routers[0]!.gateway).toEqual({
      network: 'public',
      ip: '172.24.4.10',
      prefixLength: 24,
      chassis: [
        { node: 'host1', priority: 20 },
        { node: 'host2', priority: 10 },
      ],
      snat: ['web', 'db'],
      mtu: 1400,
    });
    expect(overlay.vms.filter((v) => v.floatingIp).map((v) => [v.name, v.floatingIp])).toEqual([['vm5', '172.24.4.101']]);
    expect(overlay.tunnelBfd).toEqual({ intervalMs: 300, multiplier: 3 });
  });

  it('has a single gateway chassis when there is one host', () => {
    const { overlay } = roundTrip({ spines: 1, leaves: 2, hosts: 1, vmsPerHost: 1 });
    expect(overlay.routers[0]!.gateway!.chassis).toEqual([{ node: 'host1', priority: 20 }]);
  });

  it('OVN-Kubernetes style: a switch per namespace on a cluster router, pods over the hosts, a Service per namespace over all but its last pod, namespace isolation', () => {
    const { overlay, plan } = roundTrip({ spines: 2, leaves: 2, hosts: 2, namespaces: 3, podsPerNamespace: 3 });
    expect(overlay.switches.map((s) => [s.name, s.subnet])).toEqual([['ns1', '10.244.1.0/24'], ['ns2', '10.244.2.0/24'], ['ns3', '10.244.3.0/24']]);
    expect(overlay.routers.map((r) => [r.name, r.switches, r.gateway])).toEqual([['cluster', ['ns1', 'ns2', 'ns3'], undefined]]);
    expect(overlay.vms.filter((v) => v.switch === 'ns2').map((v) => [v.name, v.ip, v.host])).toEqual([['ns2-p1', '10.244.2.11', 'host2'], ['ns2-p2', '10.244.2.12', 'host1'], ['ns2-p3', '10.244.2.13', 'host2']]);
    expect(overlay.loadBalancers.map((lb) => [lb.name, lb.vip, lb.port, lb.backends, lb.exposed, lb.healthCheck])).toEqual([
      ['svc-ns1', '10.96.0.11', 80, ['ns1-p1', 'ns1-p2'], false, undefined],
      ['svc-ns2', '10.96.0.12', 80, ['ns2-p1', 'ns2-p2'], false, undefined],
      ['svc-ns3', '10.96.0.13', 80, ['ns3-p1', 'ns3-p2'], false, undefined],
    ]);
    expect(overlay.groups.find((g) => g.name === 'ns1')!.rules.map((r) => [r.direction, r.protocol, r.remoteGroup])).toEqual([['ingress', 'any', 'ns1'], ['egress', 'any', undefined]]);
    expect(overlay.providers).toEqual([]);
    expect(plan.overlay!.external).toBeUndefined();
    // Namespace isolation: ns1 pods reach each other, never ns2's.
    const cells = expectedMatrix(overlay).filter((c) => c.probe.protocol === 'icmp');
    expect(cells.find((c) => c.src === 'ns1-p1' && c.dst === 'ns1-p3')!.expected).toBe('allow');
    expect(cells.find((c) => c.src === 'ns1-p1' && c.dst === 'ns2-p1')!.expected).toBe('deny');
  });

  it('refuses both overlay styles at once, and pods without namespaces', () => {
    expect(() => planClos({ name: 'x', spines: 1, leaves: 2, hosts: 2, vmsPerHost: 1, namespaces: 2 })).toThrow(/choose one overlay/);
    expect(() => planClos({ name: 'x', spines: 1, leaves: 2, hosts: 2, podsPerNamespace: 3 })).toThrow(/--pods-per-namespace needs --namespaces/);
    expect(() => planClos({ name: 'x', spines: 1, leaves: 2, hosts: 2, namespaces: 2, podsPerNamespace: 1 })).toThrow(/--pods-per-namespace must be an integer from 2 to 8/);
  });

  it('defaults the VM MTU to the smallest underlay MTU minus the GENEVE overhead', () => {
    for (const [hostMtu, fabricMtu] of [[1500, 9000], [9000, 1500], [9000, 9000], [1600, 2000]] as const) {
      const { overlay } = roundTrip({ spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, hostMtu, fabricMtu });
      expect(new Set(overlay.vms.map((v) => v.mtu)), `${hostMtu}/${fabricMtu}`).toEqual(new Set([Math.min(hostMtu, fabricMtu) - OVN_GENEVE_OVERHEAD_BYTES]));
    }
    expect(OVN_GENEVE_OVERHEAD_BYTES).toBe(58);
  });

  it('takes --vm-mtu over the default', () => {
    const { overlay } = roundTrip({ spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, vmMtu: 1300 });
    expect(new Set(overlay.vms.map((v) => v.mtu))).toEqual(new Set([1300]));
  });

  describe('its security groups', () => {
    // host1 gets vm1 (web) and vm2 (db): one VM of each switch.
    const { overlay } = roundTrip({ spines: 2, leaves: 2, hosts: 1, vmsPerHost: 2 });
    const matrix = expectedMatrix(overlay);
    const verdict = (src: string, dst: string, protocol: 'tcp' | 'icmp', port?: number) => {
      const cell = matrix.find((c) => c.src === src && c.dst === dst && c.probe.protocol === protocol && c.probe.port === port);
      if (!cell) throw new Error(`no probe ${protocol}/${port} ${src} → ${dst} in the matrix`);
      return cell.expected;
    };
    const web = overlay.vms.find((v) => v.switch === 'web')!.name;
    const db = overlay.vms.find((v) => v.switch === 'db')!.name;

    it('let web reach db’s postgres but not the other way round', () => {
      expect(verdict(web, db, 'tcp', 5432)).toBe('allow');
      expect(verdict(db, web, 'tcp', 5432)).toBe('deny');
    });

    it('let only members of web reach postgres: not another db VM', () => {
      // vm1, vm3 on web; vm2, vm4 on db.
      const four = roundTrip({ spines: 2, leaves: 2, hosts: 2, vmsPerHost: 2 }).overlay;
      const cells = expectedMatrix(four).filter((c) => c.probe.protocol === 'tcp' && c.probe.port === 5432 && four.vms.find((v) => v.name === c.dst)!.switch === 'db');
      const from = (sw: string) => cells.filter((c) => four.vms.find((v) => v.name === c.src)!.switch === sw).map((c) => c.expected);
      expect(from('web')).toEqual(['allow', 'allow', 'allow', 'allow']);
      expect(from('db')).toEqual(['deny', 'deny']);
    });

    it('let ping through both ways, http only to web, ssh to web only from db', () => {
      expect(verdict(web, db, 'icmp')).toBe('allow');
      expect(verdict(db, web, 'icmp')).toBe('allow');
      expect(verdict(db, web, 'tcp', 80)).toBe('allow');
      expect(verdict(web, db, 'tcp', 80)).toBe('deny');
      expect(verdict(db, web, 'tcp', 22)).toBe('allow');
      expect(verdict(web, db, 'tcp', 22)).toBe('deny');
    });
  });
});
