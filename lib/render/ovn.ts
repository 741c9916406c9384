// The OVN northbound commands that build an overlay intent. Pure: returns ovn-nbctl argument
// arrays without the leading `ovn-nbctl` and `--db=…` (nbctl prepends them; each array runs as
// argv, no shell). Syntax as in ovn-nbctl(8) of OVN 23.03. Also the VMs' interface commands:
// lib/overlay/apply.ts runs all of these in a lab, the export writes them as exec lines.
//
// Idempotent where ovn-nbctl allows it: ls-add, lr-add, lsp-add, lrp-add and acl-add carry
// --may-exist; lsp-set-* overwrite. pg-add has no --may-exist (Port_Group names are a unique
// index), so a second run fails at the first pg-add: delete the port groups first to re-apply.
//
// Security groups follow networking-ovn (Neutron): a port group per group; every VM with a group
// joins np_drop, whose two ACLs at priority 1001 drop all IPv4/IPv6; each rule is an
// allow-related ACL at 1002 on its group's port group. A VM without groups has no ACLs.
import { healthCheckSource, routerPortMac } from '../topology/load-overlay.ts';
import { OVN_NB_PORT, OVN_SB_PORT, type LoadBalancer, type LogicalRouter, type Overlay, type ProviderNetwork, type SecurityRule, type VmPort } from '../model/overlay.ts';

export const DROP_PORT_GROUP = 'np_drop';
export const DROP_PRIORITY = 1001;
export const ALLOW_PRIORITY = 1002;

/** The OVN port group of a security group. */
export function portGroupName(group: string): string {
  return `pg_${group}`;
}

/** A VM port's `addresses` and `port_security` entry: its MAC and IP, e.g. `02:00:0a:14:01:0b 10.20.1.11`. */
export function vmPortAddress(vm: Pick<VmPort, 'mac' | 'ip'>): string {
  return `${vm.mac} ${vm.ip}`;
}

/** The router's port on a switch. */
export function routerPortName(router: string, sw: string): string {
  return `lrp-${router}-${sw}`;
}

/** A provider network's localnet port: where its logical switch meets the physical network on a chassis' br-ex. */
export function localnetPortName(network: string): string {
  return `ln-${network}`;
}

/** The switch's port that patches it to the router. */
export function switchRouterPortName(sw: string, router: string): string {
  return `lsp-${sw}-${router}`;
}

/** The ACL direction of a rule: ingress to a VM is traffic leaving the switch to its port. */
export function aclDirection(rule: Pick<SecurityRule, 'direction'>): 'to-lport' | 'from-lport' {
  return rule.direction === 'ingress' ? 'to-lport' : 'from-lport';
}

const ANY_IP4 = '0.0.0.0/0';

/** The OVN match expression of a rule of `group`, e.g. `outport == @pg_web && ip4 && tcp && tcp.dst == 22 && ip4.src == $pg_jump_ip4`. */
export function aclMatch(group: string, rule: SecurityRule): string {
  const ingress = rule.direction === 'ingress';
  const terms = [`${ingress ? 'outport' : 'inport'} == @${portGroupName(group)}`, 'ip4'];
  if (rule.protocol === 'icmp') terms.push('icmp4');
  else if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
    const p = rule.protocol;
    terms.push(p);
    if (rule.ports) {
      const { min, max } = rule.ports;
      terms.push(min === max ? `${p}.dst == ${min}` : `${p}.dst >= ${min} && ${p}.dst <= ${max}`);
    }
  }
  const remoteField = ingress ? 'ip4.src' : 'ip4.dst';
  if (rule.remoteGroup !== undefined) terms.push(`${remoteField} == $${portGroupName(rule.remoteGroup)}_ip4`);
  else if (rule.remoteCidr !== undefined && rule.remoteCidr !== ANY_IP4) terms.push(`${remoteField} == ${rule.remoteCidr}`);
  return terms.join(' && ');
}

function gatewayOf(overlay: Overlay, sw: string): { gateway: string; prefixLength: number } {
  const s = overlay.switches.find((x) => x.name === sw);
  if (!s?.gateway) throw new Error(`overlay bug: switch ${sw} joins a router but has no gateway (parseOverlay sets it)`);
  return { gateway: s.gateway, prefixLength: Number(s.subnet.split('/')[1]) };
}

function routerCommands(overlay: Overlay, r: LogicalRouter): string[][] {
  const cmds: string[][] = [['--may-exist', 'lr-add', r.name]];
  for (const sw of r.switches) {
    const { gateway, prefixLength } = gatewayOf(overlay, sw);
    const lrp = routerPortName(r.name, sw);
    const lsp = switchRouterPortName(sw, r.name);
    cmds.push(
      ['--may-exist', 'lrp-add', r.name, lrp, routerPortMac(gateway), `${gateway}/${prefixLength}`],
      ['--may-exist', 'lsp-add', sw, lsp],
      ['lsp-set-type', lsp, 'router'],
      ['lsp-set-addresses', lsp, 'router'],
      ['lsp-set-options', lsp, `router-port=${lrp}`],
    );
  }
  return cmds;
}

/**
 * A provider network as a logical switch with a localnet port; the physical network name is
 * the external node's, which chassis linked to it map to their br-ex (ovn-bridge-mappings).
 */
function providerCommands(p: ProviderNetwork): string[][] {
  const ln = localnetPortName(p.name);
  return [
    ['--may-exist', 'ls-add', p.name],
    ['--may-exist', 'lsp-add', p.name, ln],
    ['lsp-set-type', ln, 'localnet'],
    ['lsp-set-addresses', ln, 'unknown'],
    ['lsp-set-options', ln, `network_name=${p.node}`],
  ];
}

/** A NAT rule as the overlay declares it on a router: what `lr-nat-add` creates and `lr-nat-list` shows. */
export interface DeclaredNat {
  router: string;
  type: 'snat' | 'dnat_and_snat';
  externalIp: string;
  /** A tenant subnet for snat; a VM's address for dnat_and_snat. */
  logicalIp: string;
  /** What declares it, for messages: `routers.tenant.gateway.snat (web)`, `vms.vm1.floating-ip`. */
  declaredBy: string;
}

/** The NAT rules of the overlay: each router's SNAT per listed switch, then one dnat_and_snat per floating IP. */
export function renderNats(overlay: Overlay): DeclaredNat[] {
  const nats: DeclaredNat[] = [];
  for (const r of overlay.routers) {
    if (!r.gateway) continue;
    for (const sw of r.gateway.snat) {
      const subnet = overlay.switches.find((s) => s.name === sw)!.subnet;
      nats.push({ router: r.name, type: 'snat', externalIp: r.gateway.ip, logicalIp: subnet, declaredBy: `routers.${r.name}.gateway.snat (${sw})` });
    }
    for (const vm of overlay.vms) {
      if (vm.floatingIp && r.switches.includes(vm.switch)) nats.push({ router: r.name, type: 'dnat_and_snat', externalIp: vm.floatingIp, logicalIp: vm.ip, declaredBy: `vms.${vm.name}.floating-ip` });
    }
  }
  return nats;
}

/**
 * A router's gateway port on its provider network, scheduled on the declared gateway chassis
 * (OVN builds the HA chassis group from them), the default route to the outside world's
 * address, gateway_mtu if declared, and its NAT rules. Centralised NAT: floating IPs carry no
 * logical_port/external_mac, so all north–south traffic goes through the active gateway.
 * nat-addresses=router (as Neutron sets it) makes the chassis that takes the gateway port
 * announce the router's and the floating IPs' MAC (gratuitous ARP) on the provider network;
 * without it the outside world's switches keep sending to the failed chassis until some
 * packet from the new one happens to teach them.
 */
function gatewayCommands(overlay: Overlay, r: LogicalRouter): string[][] {
  const g = r.gateway;
  if (!g) return [];
  const provider = overlay.providers.find((p) => p.name === g.network)!;
  const lrp = routerPortName(r.name, g.network);
  const lsp = switchRouterPortName(g.network, r.name);
  const cmds: string[][] = [
    ['--may-exist', 'lrp-add', r.name, lrp, routerPortMac(g.ip), `${g.ip}/${g.prefixLength}`],
    ['--may-exist', 'lsp-add', g.network, lsp],
    ['lsp-set-type', lsp, 'router'],
    ['lsp-set-addresses', lsp, 'router'],
    ['lsp-set-options', lsp, `router-port=${lrp}`, 'nat-addresses=router'],
    ...g.chassis.map((c) => ['lrp-set-gateway-chassis', lrp, c.node, String(c.priority)]),
    ['--may-exist', 'lr-route-add', r.name, '0.0.0.0/0', provider.gateway],
  ];
  if (g.mtu !== undefined) cmds.push(['set', 'Logical_Router_Port', lrp, `options:gateway_mtu=${g.mtu}`]);
  for (const n of renderNats(overlay).filter((x) => x.router === r.name)) cmds.push(['--may-exist', 'lr-nat-add', r.name, n.type, n.externalIp, n.logicalIp]);
  return cmds;
}

/** `172.24.4.50:80`: the key of a VIP in Load_Balancer.vips and of its health check. */
export const vipKey = (lb: Pick<LoadBalancer, 'vip' | 'port'>) => `${lb.vip}:${lb.port}`;

/**
 * A load balancer: its VIP over the backends' addresses, on its router (the outside world's
 * traffic arrives there) and on every switch of that router (tenant VMs' traffic is balanced
 * in their own switch). options:reject makes a VIP without a healthy backend answer with a TCP
 * RST / ICMP unreachable instead of dropping. A health check probes each backend from its
 * switch's last host address (ip_port_mappings) with OVN's service monitor.
 */
function loadBalancerCommands(overlay: Overlay, lb: LoadBalancer): string[][] {
  const vmOf = (name: string) => overlay.vms.find((v) => v.name === name)!;
  const backends = lb.backends.map((b) => `${vmOf(b).ip}:${lb.backendPort}`).join(',');
  const router = overlay.routers.find((r) => r.name === lb.router)!;
  const cmds: string[][] = [
    ['--may-exist', 'lb-add', lb.name, vipKey(lb), backends, lb.protocol],
    ['--may-exist', 'lr-lb-add', lb.router, lb.name],
    ...router.switches.map((sw) => ['--may-exist', 'ls-lb-add', sw, lb.name]),
  ];
  if (lb.noBackend === 'reject') cmds.push(['set', 'Load_Balancer', lb.name, 'options:reject=true']);
  const hc = lb.healthCheck;
  if (hc) {
    const mappings = lb.backends.map((b) => {
      const vm = vmOf(b);
      const subnet = overlay.switches.find((sw) => sw.name === vm.switch)!.subnet;
      return `ip_port_mappings:${vm.ip}=${vm.name}:${healthCheckSource(subnet)}`;
    });
    const id = `@hc_${lb.name.replaceAll('-', '_')}`;
    cmds.push(
      ['set', 'Load_Balancer', lb.name, ...mappings],
      [`--id=${id}`, 'create', 'Load_Balancer_Health_Check', `vip="${vipKey(lb)}"`, `options:interval=${hc.intervalS}`, `options:timeout=${hc.timeoutS}`, `options:success_count=${hc.successCount}`, `options:failure_count=${hc.failureCount}`],
      ['add', 'Load_Balancer', lb.name, 'health_check', id],
    );
  }
  return cmds;
}

/** An ACL as the overlay declares it on a port group: what `acl-add` creates and `list ACL` shows. */
export interface DeclaredAcl {
  portGroup: string;
  direction: 'to-lport' | 'from-lport';
  priority: number;
  match: string;
  action: 'allow-related' | 'drop';
}

/**
 * The ACLs of the security groups: np_drop's two drops at 1001 (when any VM has a group), then
 * one allow-related at 1002 per rule, in group and rule order. renderNbCommands creates exactly these.
 */
export function renderAcls(overlay: Overlay): DeclaredAcl[] {
  const acls: DeclaredAcl[] = [];
  if (overlay.vms.some((vm) => vm.groups.length > 0)) {
    acls.push(
      { portGroup: DROP_PORT_GROUP, direction: 'to-lport', priority: DROP_PRIORITY, match: `outport == @${DROP_PORT_GROUP} && ip`, action: 'drop' },
      { portGroup: DROP_PORT_GROUP, direction: 'from-lport', priority: DROP_PRIORITY, match: `inport == @${DROP_PORT_GROUP} && ip`, action: 'drop' },
    );
  }
  // No --name on acl-add: in OVN 23.03 a named ACL is also a logged one, and logging sends the
  // first packet of every flow to ovn-controller. Rule ids stay in netproof's messages.
  for (const g of overlay.groups) {
    for (const rule of g.rules) acls.push({ portGroup: portGroupName(g.name), direction: aclDirection(rule), priority: ALLOW_PRIORITY, match: aclMatch(g.name, rule), action: 'allow-related' });
  }
  return acls;
}

/** Every ovn-nbctl command (argv after `ovn-nbctl --db=…`) that creates the overlay, in an order that works. */
export function renderNbCommands(overlay: Overlay): string[][] {
  const cmds: string[][] = [];
  for (const s of overlay.switches) cmds.push(['--may-exist', 'ls-add', s.name]);
  for (const vm of overlay.vms) {
    const address = vmPortAddress(vm);
    cmds.push(['--may-exist', 'lsp-add', vm.switch, vm.name], ['lsp-set-addresses', vm.name, address], ['lsp-set-port-security', vm.name, address]);
  }
  for (const p of overlay.providers) cmds.push(...providerCommands(p));
  for (const r of overlay.routers) cmds.push(...routerCommands(overlay, r), ...gatewayCommands(overlay, r));
  for (const lb of overlay.loadBalancers) cmds.push(...loadBalancerCommands(overlay, lb));
  // ovn-controller configures OVS BFD on every tunnel from these (SB_Global, copied by northd).
  const bfd = overlay.tunnelBfd;
  if (bfd) cmds.push(['set', 'NB_Global', '.', `options:bfd-min-rx=${bfd.intervalMs}`, `options:bfd-min-tx=${bfd.intervalMs}`, `options:bfd-mult=${bfd.multiplier}`]);

  // Port groups first: a rule may name another group's address set ($pg_<group>_ip4).
  for (const g of overlay.groups) {
    cmds.push(['pg-add', portGroupName(g.name), ...overlay.vms.filter((vm) => vm.groups.includes(g.name)).map((vm) => vm.name)]);
  }
  const filtered = overlay.vms.filter((vm) => vm.groups.length > 0).map((vm) => vm.name);
  if (filtered.length) cmds.push(['pg-add', DROP_PORT_GROUP, ...filtered]);
  for (const acl of renderAcls(overlay)) {
    cmds.push(['--type=port-group', '--may-exist', 'acl-add', acl.portGroup, acl.direction, String(acl.priority), acl.match, acl.action]);
  }
  return cmds;
}

/** ovn-nbctl against the central's NB database over TCP, so the same argv works in any runtime. */
export const nbctl = (...args: string[]) => ['ovn-nbctl', `--db=tcp:127.0.0.1:${OVN_NB_PORT}`, ...args];
/** ovn-sbctl against the central's SB database over TCP. */
export const sbctl = (...args: string[]) => ['ovn-sbctl', `--db=tcp:127.0.0.1:${OVN_SB_PORT}`, ...args];

/** A VM's interface as its logical port says: MAC, MTU, address, and the switch's gateway as default route. */
export function vmInterfaceArgvs(overlay: Overlay, vmName: string): string[][] {
  const vm = overlay.vms.find((v) => v.name === vmName);
  if (!vm) return [];
  const gw = overlay.switches.find((s) => s.name === vm.switch)?.gateway;
  return [
    ['ip', 'link', 'set', 'dev', vm.iface, 'address', vm.mac, 'mtu', String(vm.mtu)],
    ['ip', 'addr', 'add', `${vm.ip}/${vm.prefixLength}`, 'dev', vm.iface],
    ['ip', 'link', 'set', 'dev', vm.iface, 'up'],
    ...(gw ? [['ip', 'route', 'add', 'default', 'via', gw, 'dev', vm.iface]] : []),
  ];
}

/** The whole northbound intent as one transaction: `ovn-nbctl -- cmd1 … -- cmd2 …`. */
export const nbTransactionArgv = (overlay: Overlay) => nbctl(...renderNbCommands(overlay).flatMap((c) => ['--', ...c]));
