// What the gateway-failover suite does and expects, from the overlay intent alone: per router
// with a gateway on two or more chassis, the active one (highest priority) to fail, the standby
// that must take over, a VM with a floating IP on another host to stream through the gateway
// both ways, and the loss budget the declared tunnel BFD implies. Pure.
import type { Overlay } from '../model/overlay.ts';
import { judge } from './acl-matrix.ts';
import { inboundProbes } from './nat-matrix.ts';

/**
 * After the standby's BFD has seen the active chassis go, what a takeover still takes: the
 * standby claims the port, announces it (GARP on the provider network) and every chassis
 * reprograms its tunnels. Stated, not measured: on the 2-core machine the loss windows end
 * 0.0–0.3 s after detection (daemons stopped: 0.8–1.1 s from the fault). Over 2.4 s was seen
 * only while a watcher's BFD still ran at its 1 s start-up rate, which the suite's precondition
 * now waits out.
 */
export const GATEWAY_TAKEOVER_ALLOWANCE_MS = 1500;

export interface GatewayFailoverPlan {
  router: string;
  /** The gateway port, and its chassis-redirect port in the southbound DB. */
  port: string;
  redirectPort: string;
  active: string;
  standby: string;
  /**
   * Every chassis whose tunnel BFD must notice the active one fail: the standby (it claims the
   * port) and the chassis hosting the router's VMs (they stop sending it their outbound traffic).
   */
  watchers: string[];
  /** The VM the streams reach: its floating IP from outside, the outside from it. */
  vm: string;
  vmIp: string;
  floatingIp: string;
  /** A UDP port its security groups admit from the outside world. */
  udpPort: number;
  outside: { node: string; ip: string };
  budgetMs: number;
  budgetText: string;
  /**
   * Set when the standby could never take over: OVN's standby claims the port only while its
   * BFD still reaches some other chassis (else it takes itself for the isolated one), and the
   * only chassis it has BFD with are the gateway chassis and those hosting the router's VMs.
   */
  cannotFailOver?: string;
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
    const peers = new Set([...gatewayHosts, ...overlay.vms.filter((vm) => r.switches.includes(vm.switch)).map((vm) => vm.host)]);
    peers.delete(active);
    peers.delete(standby);
    const detectMs = bfd.multiplier * bfd.intervalMs;
    const port = routerPortName(r.name, g.network);
    plans.push({
      router: r.name,
      port,
      redirectPort: `cr-${port}`,
      active,
      standby,
      watchers: [standby, ...[...peers].sort()],
      vm: pick.vm.name,
      vmIp: pick.vm.ip,
      floatingIp: pick.vm.floatingIp!,
      udpPort: pick.udp,
      outside,
      budgetMs: detectMs + GATEWAY_TAKEOVER_ALLOWANCE_MS,
      budgetText: `tunnel BFD ${bfd.multiplier} × ${bfd.intervalMs} ms (tunnel-bfd) + ${GATEWAY_TAKEOVER_ALLOWANCE_MS / 1000} s for the standby to take the port over`,
      ...(peers.size === 0
        ? { cannotFailOver: `gateway port ${port}: ${standby} could never take over from ${active}: OVN's standby claims the port only while its BFD reaches another chassis, and ${standby}'s only BFD peer is ${active} (no other chassis hosts a VM of router ${r.name} or is one of its gateway chassis): add a third gateway chassis, or a VM of the router on another chassis` }
        : {}),
    });
  }
  return { plans, notDeclared };
}
