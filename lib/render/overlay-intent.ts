// The default overlay intent `generate clos --vms-per-host N` writes beside the clab file:
// two tenant switches joined by one distributed router, and two security groups.
// `web` admits ICMP and http from anywhere and ssh only from the db subnet; `db` admits
// ICMP and postgres only from members of `web`. Both may send anything (egress).
// So web → db:5432 is allowed while db → web:5432 is not: replies must pass statefully.
// Both admit udp/5001 from any tenant subnet: the port netproof's probe flows use (ECMP, failover).
// North–south: a provider network `public` behind the external node, the router's gateway on
// it (HA over the first two hosts), SNAT for both subnets, a floating IP for the last web VM
// (udp/5001 admitted from the provider network for probe flows), BFD on the tunnels,
// and a load balancer `web` on the provider network in front of every web VM.
import type { ClosPlan, PlannedNamespace, PlannedVm } from '../plan/clos.ts';

export const TENANT_SUBNETS = { web: '10.20.1.0/24', db: '10.20.2.0/24' } as const;
export const TENANT_RANGE = '10.20.0.0/16';
export const PROBE_UDP_PORT = 5001;

export function renderOverlayIntent(plan: ClosPlan): Record<string, unknown> | undefined {
  if (!plan.overlay) return undefined;
  if (plan.overlay.namespaces) return renderKubernetesIntent(plan.overlay.namespaces, plan.overlay.vms);
  const ext = plan.overlay.external;
  const fipOf = (vm: string) => ext?.floatingIps.find((f) => f.vm === vm)?.ip;
  return {
    ...(ext ? { 'provider-networks': { public: { subnet: ext.subnet, gateway: ext.address, node: ext.node } }, 'tunnel-bfd': { interval: ext.tunnelBfd.intervalMs, multiplier: ext.tunnelBfd.multiplier } } : {}),
    switches: { web: { subnet: TENANT_SUBNETS.web }, db: { subnet: TENANT_SUBNETS.db } },
    routers: {
      tenant: {
        switches: ['web', 'db'],
        ...(ext ? { gateway: { network: 'public', ip: ext.routerAddress, chassis: Object.fromEntries(ext.gateways.map((g) => [g.host, g.priority])), snat: ['web', 'db'], mtu: ext.mtu } } : {}),
      },
    },
    vms: Object.fromEntries(
      plan.overlay.vms.map((vm) => {
        const fip = fipOf(vm.name);
        return [vm.name, { switch: vm.switch, ip: vm.ip, mtu: vm.mtu, groups: [vm.switch], ...(fip ? { 'floating-ip': fip } : {}) }];
      }),
    ),
    // Health-checked every second, out after two failures, back after one success: quick enough for a suite to watch.
    ...(ext?.loadBalancer
      ? {
          'load-balancers': {
            [ext.loadBalancer.name]: {
              vip: ext.loadBalancer.vip,
              port: ext.loadBalancer.port,
              backends: ext.loadBalancer.backends,
              'health-check': { interval: 1, timeout: 1, 'success-count': 1, 'failure-count': 2 },
              'no-backend': 'reject',
            },
          },
        }
      : {}),
    'security-groups': {
      web: [
        { direction: 'ingress', protocol: 'icmp' },
        { direction: 'ingress', protocol: 'tcp', ports: 80 },
        { direction: 'ingress', protocol: 'tcp', ports: 22, 'remote-cidr': TENANT_SUBNETS.db },
        { direction: 'ingress', protocol: 'udp', ports: PROBE_UDP_PORT, 'remote-cidr': TENANT_RANGE },
        // The outside world's probe flows to a floating IP (nat, gateway-failover).
        ...(ext ? [{ direction: 'ingress', protocol: 'udp', ports: PROBE_UDP_PORT, 'remote-cidr': ext.subnet }] : []),
        { direction: 'egress' },
      ],
      db: [
        { direction: 'ingress', protocol: 'icmp' },
        { direction: 'ingress', protocol: 'tcp', ports: 5432, 'remote-group': 'web' },
        { direction: 'ingress', protocol: 'udp', ports: PROBE_UDP_PORT, 'remote-cidr': TENANT_RANGE },
        { direction: 'egress' },
      ],
    },
  };
}

/**
 * OVN-Kubernetes style: a logical switch per namespace joined by one cluster router, a Service
 * as a load balancer per namespace, and namespace isolation as security groups: a pod takes
 * anything from its own namespace and nothing from another; it may send anything.
 */
function renderKubernetesIntent(namespaces: readonly PlannedNamespace[], pods: readonly PlannedVm[]): Record<string, unknown> {
  return {
    switches: Object.fromEntries(namespaces.map((ns) => [ns.name, { subnet: ns.subnet }])),
    routers: { cluster: { switches: namespaces.map((ns) => ns.name) } },
    vms: Object.fromEntries(pods.map((p) => [p.name, { switch: p.switch, ip: p.ip, mtu: p.mtu, groups: [p.switch] }])),
    'load-balancers': Object.fromEntries(namespaces.map((ns) => [ns.service.name, { vip: ns.service.vip, port: ns.service.port, backends: ns.service.backends }])),
    'security-groups': Object.fromEntries(
      namespaces.map((ns) => [
        ns.name,
        [
          { direction: 'ingress', 'remote-group': ns.name },
          { direction: 'egress' },
        ],
      ]),
    ),
  };
}
