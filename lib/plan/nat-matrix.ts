// What north–south traffic must do, derived from the intent alone: for every router with a
// gateway, the cells the `nat` suite probes, each with what the far end must see. Pure.
//   in:     the outside world → a VM's floating IP: the VM answers and sees the outside
//           address as the source (DNAT only), where its security groups admit it;
//   out:    a VM → the outside world: the outside sees the VM's floating IP, or the router's
//           gateway address (SNAT) for a VM on a switch the gateway SNATs, or cannot answer;
//   no way in: the outside world → the router's gateway address, on the ports a VM without a
//           floating IP would serve: no VM answers.
// NAT is centralised on the active gateway chassis (see lib/render/ovn.ts): every cell
// crosses it.
import type { Overlay, ProviderNetwork, VmPort } from '../model/overlay.ts';
import { judge, probeLabel, type Probe } from './acl-matrix.ts';

/** The services a VM reaches outside with: https and DNS, as a tenant would. */
export const OUTSIDE_PORTS = { tcp: 443, udp: 53 } as const;

export type NatKind = 'in' | 'out' | 'no way in';

export type NatExpectation = { reach: true; answeredBy: string; seenSource: string } | { reach: false };

export interface NatCell {
  kind: NatKind;
  /** The VM the cell is about. */
  vm: string;
  /** The sending node: a VM or the provider network's external node. */
  src: string;
  /** The address sent to, and what it stands for (`vm1's floating IP`). */
  dst: string;
  dstLabel: string;
  probe: Probe;
  expected: NatExpectation;
  /** The declarations and rules that decide, e.g. `vms.vm1.floating-ip (DNAT to 10.20.1.11) and ingress web#2`. */
  because: string;
}

/** `ext → 172.24.4.101 (vm1's floating IP) tcp/80`. */
export function natCellLabel(c: Pick<NatCell, 'src' | 'dst' | 'dstLabel' | 'probe'>): string {
  return `${c.src} → ${c.dst} (${c.dstLabel}) ${probeLabel(c.probe)}`;
}

/** What the cell expects, in words: `vm1 answers, seeing source 172.24.4.1` or `no answer`. */
export function expectationText(e: NatExpectation): string {
  return e.reach ? `${e.answeredBy} answers, seeing source ${e.seenSource}` : 'no answer';
}

/**
 * The probes for reaching `vm` from `remote`: ICMP echo, and per protocol the first port one of
 * its ingress rules names that admits `remote` (else the first it names, else the outside
 * service port), so an admitted cell shows NAT working and a refused one names its rule.
 */
export function inboundProbes(overlay: Overlay, vm: VmPort, remote: { name: string; ip: string }): Probe[] {
  const rules = vm.groups.flatMap((g) => overlay.groups.find((x) => x.name === g)?.rules ?? []).filter((r) => r.direction === 'ingress');
  const probes: Probe[] = [{ protocol: 'icmp' }];
  for (const protocol of ['tcp', 'udp'] as const) {
    const named = [...new Set(rules.filter((r) => r.protocol === protocol && r.ports).map((r) => r.ports!.min))];
    const candidates = [...named, OUTSIDE_PORTS[protocol]].map((port) => ({ protocol, port }));
    probes.push(candidates.find((p) => judge(overlay, vm, 'ingress', p, remote).ok) ?? candidates[0]!);
  }
  return probes;
}

interface Gateway {
  router: string;
  ip: string;
  snat: string[];
  provider: ProviderNetwork;
}

function gatewayOf(overlay: Overlay, vm: VmPort): Gateway | undefined {
  const r = overlay.routers.find((x) => x.switches.includes(vm.switch));
  if (!r?.gateway) return undefined;
  const provider = overlay.providers.find((p) => p.name === r.gateway!.network)!;
  return { router: r.name, ip: r.gateway.ip, snat: r.gateway.snat, provider };
}

/** Every north–south cell of the overlay, in VM order: in (floating IPs), out, no way in. Empty when no router has a gateway. */
export function natMatrix(overlay: Overlay): NatCell[] {
  const cells: NatCell[] = [];
  for (const vm of overlay.vms) {
    const gw = gatewayOf(overlay, vm);
    if (!gw) continue;
    const outside = { name: gw.provider.node, ip: gw.provider.gateway };

    for (const probe of inboundProbes(overlay, vm, outside)) {
      if (vm.floatingIp) {
        const into = judge(overlay, vm, 'ingress', probe, outside);
        const fip = `vms.${vm.name}.floating-ip (DNAT ${vm.floatingIp} → ${vm.ip})`;
        cells.push({
          kind: 'in',
          vm: vm.name,
          src: outside.name,
          dst: vm.floatingIp,
          dstLabel: `${vm.name}'s floating IP`,
          probe,
          expected: into.ok ? { reach: true, answeredBy: vm.name, seenSource: outside.ip } : { reach: false },
          because: `${fip} and ${into.text}`,
        });
      } else if (probe.protocol !== 'icmp') {
        // The router answers ICMP to its own address itself: only TCP and UDP can tell a VM behind it.
        cells.push({
          kind: 'no way in',
          vm: vm.name,
          src: outside.name,
          dst: gw.ip,
          dstLabel: `router ${gw.router}'s gateway`,
          probe,
          expected: { reach: false },
          because: `${vm.name} has no floating IP; ${gw.ip} is router ${gw.router}'s SNAT address, which forwards nothing in`,
        });
      }
    }

    for (const probe of [{ protocol: 'icmp' }, { protocol: 'tcp', port: OUTSIDE_PORTS.tcp }, { protocol: 'udp', port: OUTSIDE_PORTS.udp }] as Probe[]) {
      const out = judge(overlay, vm, 'egress', probe, outside);
      const source = vm.floatingIp
        ? { ip: vm.floatingIp, text: `vms.${vm.name}.floating-ip (SNAT ${vm.ip} → ${vm.floatingIp})` }
        : gw.snat.includes(vm.switch)
          ? { ip: gw.ip, text: `routers.${gw.router}.gateway.snat (${vm.switch} → ${gw.ip})` }
          : undefined;
      const because = [
        out.text,
        source?.text ?? `no SNAT for ${vm.switch} (routers.${gw.router}.gateway.snat) and ${vm.name} has no floating IP: the outside cannot answer ${vm.ip}`,
      ].join(' and ');
      cells.push({
        kind: 'out',
        vm: vm.name,
        src: vm.name,
        dst: outside.ip,
        dstLabel: `${outside.name}, the outside world`,
        probe,
        expected: out.ok && source ? { reach: true, answeredBy: outside.name, seenSource: source.ip } : { reach: false },
        because,
      });
    }
  }
  return cells;
}

/**
 * The ports each node serves with a source echo: the outside world's nodes the ports of the
 * out cells; every VM behind a gateway the ports of all in and no-way-in cells, so a floating
 * IP or NAT rule that points at the wrong VM is answered, and that VM named.
 */
export function echoPorts(overlay: Overlay, cells: readonly NatCell[]): Map<string, { tcp: number[]; udp: number[] }> {
  const byNode = new Map<string, { tcp: Set<number>; udp: Set<number> }>();
  const add = (node: string, p: Probe) => {
    if (p.protocol === 'icmp') return;
    const e = byNode.get(node) ?? { tcp: new Set<number>(), udp: new Set<number>() };
    e[p.protocol].add(p.port!);
    byNode.set(node, e);
  };
  const behindGateway = overlay.vms.filter((vm) => gatewayOf(overlay, vm));
  for (const c of cells) {
    if (c.kind === 'out') add(c.expected.reach ? c.expected.answeredBy : overlay.providers.find((p) => p.gateway === c.dst)!.node, c.probe);
    else for (const vm of behindGateway) add(vm.name, c.probe);
  }
  const sorted = (ports: Set<number>) => [...ports].sort((a, b) => a - b);
  return new Map([...byNode].map(([n, e]) => [n, { tcp: sorted(e.tcp), udp: sorted(e.udp) }]));
}
