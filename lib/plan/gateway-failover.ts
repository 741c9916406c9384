// What the gateway-failover suite does and expects, from the overlay intent alone: per router
// with a gateway on two or more chassis, the active one (highest priority) to fail, the standby
// that must take over, a VM with a floating IP on another host to stream through the gateway
// both ways, and the loss budget the declared tunnel BFD implies. Pure.
import type { Overlay } from '../model/overlay.ts';
import { judge } from './acl-matrix.ts';
import { OVN_PROPAGATION_ALLOWANCE_MS } from './lb-plan.ts';
import { inboundProbes } from './nat-matrix.ts';

export interface GatewayFailoverPlan {
  router: string;
  /** The gateway port, and its chassis-redirect port in the southbound DB. */
  port: string;
  redirectPort: string;
  active: string;
  standby: string;
  /** The VM the streams reach: its floating IP from outside, the outside from it. */
  vm: string;
  vmIp: string;
  floatingIp: string;
  /** A UDP port its security groups admit from the outside world. */
  udpPort: number;
  outside: { node: string; ip: string };
  budgetMs: number;
  budgetText: string;
}

/** Plans, and for each router with a gateway that cannot be checked, why (`not declared: …`). */
export function planGatewayFailovers(overlay: Overlay, routerPortName: (router: string, sw: string) => string): { plans: GatewayFailoverPlan[]; notDeclared: string[] } {
  const plans: GatewayFailoverPlan[] = [];
  const notDeclared: string[] = [];
  const bfd = overlay.tunnelBfd;
  for (const r of overlay.routers) {
    const g = r.gateway;
    if (!g) continue;
    if (g.chassis.length < 2) {
      notDeclared.push(`router ${r.name}'s gateway has one chassis (${g.chassis[0]!.node}): there is nothing to fail over to (routers.${r.name}.gateway.chassis)`);
      continue;
    }
    if (!bfd) {
      notDeclared.push(`no tunnel-bfd in ${overlay.file}: the loss budget of a gateway failover comes from the tunnel BFD timers`);
      continue;
    }
    const [active, standby] = [g.chassis[0]!.node, g.chassis[1]!.node];
    const provider = overlay.providers.find((p) => p.name === g.network)!;
    const outside = { node: provider.node, ip: provider.gateway };
    const gatewayHosts = new Set(g.chassis.map((c) => c.node));
    // Off the failing chassis (its VMs go down with it); off every gateway chassis if possible, so the streams cross tunnels both before and after.
    const candidates = overlay.vms
      .filter((vm) => vm.floatingIp && r.switches.includes(vm.switch) && vm.host !== active)
      .sort((a, b) => Number(gatewayHosts.has(a.host)) - Number(gatewayHosts.has(b.host)))
      .flatMap((vm) => {
        const remote = { name: outside.node, ip: outside.ip };
        const udp = inboundProbes(overlay, vm, remote).find((p) => p.protocol === 'udp')!;
        const admitted = judge(overlay, vm, 'ingress', udp, remote).ok && judge(overlay, vm, 'egress', udp, remote).ok;
        return admitted ? [{ vm, udp: udp.port! }] : [];
      });
    const pick = candidates[0];
    if (!pick) {
      notDeclared.push(`router ${r.name}: no VM with a floating IP off ${active} whose security groups admit UDP from ${outside.node} (${outside.ip}): no north–south stream can cross the gateway`);
      continue;
    }
    const detectMs = bfd.multiplier * bfd.intervalMs;
    const port = routerPortName(r.name, g.network);
    plans.push({
      router: r.name,
      port,
      redirectPort: `cr-${port}`,
      active,
      standby,
      vm: pick.vm.name,
      vmIp: pick.vm.ip,
      floatingIp: pick.vm.floatingIp!,
      udpPort: pick.udp,
      outside,
      budgetMs: detectMs + OVN_PROPAGATION_ALLOWANCE_MS,
      budgetText: `tunnel BFD ${bfd.multiplier} × ${bfd.intervalMs} ms (tunnel-bfd) + ${OVN_PROPAGATION_ALLOWANCE_MS / 1000} s for the standby to claim the port`,
    });
  }
  return { plans, notDeclared };
}
