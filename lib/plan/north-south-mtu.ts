// North–south path MTU, from the topology and the overlay intent alone: for every VM behind a
// router with a gateway, what a don't-fragment packet of the VM's own MTU towards the outside
// world must meet. The provider network carries the smallest MTU the topology declares on the
// links between its node and the gateway chassis; a VM whose MTU is larger must be told so with
// ICMP "fragmentation needed" (OVN sends it when the gateway port has `gateway_mtu`), never
// have its packet vanish inside ovs-vswitchd. Pure.
import type { Overlay } from '../model/overlay.ts';
import { linkLabel, type Topology } from '../model/topology.ts';

export type MtuExpectation = { kind: 'reply' } | { kind: 'frag-needed'; mtu: number };

export interface NorthSouthMtuCase {
  vm: string;
  vmMtu: number;
  router: string;
  /** The router's gateway port (`lrp-tenant-public`). */
  port: string;
  outside: { node: string; ip: string };
  provider: string;
  /** Smallest MTU declared on the provider network's links, and those links; undefined: some link declares none. */
  providerMtu?: number;
  providerLinks: string[];
  /** The gateway_mtu the intent declares, if any. */
  gatewayMtu?: number;
  /** Undefined when the provider MTU is not declared: nothing to expect. */
  expected?: MtuExpectation;
}

/** Every VM behind a gateway, with what its largest don't-fragment packet towards the outside must meet. */
export function northSouthMtuCases(topology: Pick<Topology, 'links'>, overlay: Overlay, routerPortName: (router: string, sw: string) => string): NorthSouthMtuCase[] {
  return overlay.vms.flatMap((vm) => {
    const router = overlay.routers.find((r) => r.switches.includes(vm.switch));
    const g = router?.gateway;
    if (!router || !g) return [];
    const provider = overlay.providers.find((p) => p.name === g.network)!;
    const chassis = new Set(g.chassis.map((c) => c.node));
    const links = topology.links.filter((l) => {
      const [a, b] = l.endpoints.map((e) => e.node);
      return (a === provider.node && chassis.has(b!)) || (b === provider.node && chassis.has(a!));
    });
    const declared = links.every((l) => l.mtu !== undefined) && links.length > 0;
    const providerMtu = declared ? Math.min(...links.map((l) => l.mtu!)) : undefined;
    const c: NorthSouthMtuCase = {
      vm: vm.name,
      vmMtu: vm.mtu,
      router: router.name,
      port: routerPortName(router.name, g.network),
      outside: { node: provider.node, ip: provider.gateway },
      provider: provider.name,
      providerLinks: links.map(linkLabel),
      ...(providerMtu !== undefined ? { providerMtu } : {}),
      ...(g.mtu !== undefined ? { gatewayMtu: g.mtu } : {}),
    };
    if (providerMtu !== undefined) c.expected = vm.mtu <= providerMtu ? { kind: 'reply' } : { kind: 'frag-needed', mtu: Math.min(providerMtu, g.mtu ?? providerMtu) };
    return [c];
  });
}
