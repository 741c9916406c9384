// The overlay a lab carries: OVN logical switches and routers, VM ports, security groups.
// Read from the sidecar intent file `<lab>.overlay.yml` beside the `<lab>.clab.yml`;
// physical facts (which compute host a VM sits on, TEPs) come from the topology.

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'any';
export type Direction = 'ingress' | 'egress';

export interface SecurityRule {
  /** Stable label for messages: `<group>#<index>` (1-based), e.g. `web#2`. */
  id: string;
  direction: Direction;
  protocol: Protocol;
  /** Inclusive port range for tcp/udp; undefined = every port. */
  ports?: { min: number; max: number };
  /** Remote side as a CIDR (e.g. 10.20.2.0/24); 0.0.0.0/0 when neither this nor remoteGroup is set. */
  remoteCidr?: string;
  /** Remote side as the members of another group. */
  remoteGroup?: string;
}

export interface SecurityGroup {
  name: string;
  rules: SecurityRule[];
}

export interface LogicalSwitch {
  name: string;
  /** e.g. 10.20.1.0/24 */
  subnet: string;
  /** The router port's address on this switch (first host address), if a router joins it. */
  gateway?: string;
}

/** A gateway chassis of a router's gateway port, and its priority: the highest claims the port, the next takes over. */
export interface GatewayChassis {
  /** A compute node (OVN chassis) linked to the provider network's external node. */
  node: string;
  priority: number;
}

/**
 * A router's way out: its gateway port on a provider network, scheduled on gateway chassis
 * (OVN's distributed gateway port with an HA chassis group), with source NAT for tenant subnets.
 */
export interface RouterGateway {
  /** The provider network the port sits on. */
  network: string;
  /** The port's address on it, without prefix length: also the SNAT address. */
  ip: string;
  prefixLength: number;
  /** Highest priority first; priorities differ. */
  chassis: GatewayChassis[];
  /** Switches (of this router) whose subnets leave with `ip` as their source. */
  snat: string[];
  /** OVN's `gateway_mtu` on the port: oversize packets towards it get ICMP "fragmentation needed". Undefined: not declared. */
  mtu?: number;
}

export interface LogicalRouter {
  name: string;
  switches: string[];
  gateway?: RouterGateway;
}

/**
 * An external (provider) network: an L2 segment outside the overlay, reached through gateway
 * chassis. In the lab it is the node that stands for the outside world (netproof.role:
 * external), linked to each gateway chassis; that node's name is also the physical network
 * name chassis map to their br-ex (ovn-bridge-mappings).
 */
export interface ProviderNetwork {
  name: string;
  /** e.g. 172.24.4.0/24 */
  subnet: string;
  /** The outside world's address on the network: the external node holds it, and routers' default routes point at it. */
  gateway: string;
  /** The topology node that stands for the outside world. */
  node: string;
}

export interface VmPort {
  /** VM node name = OVN logical switch port name. */
  name: string;
  switch: string;
  ip: string;
  prefixLength: number;
  mac: string;
  mtu: number;
  /** Compute host the VM is linked to, and the interface on that host (an OVS port on br-int). */
  host: string;
  hostIface: string;
  /** The VM's own interface towards the host. */
  iface: string;
  /** Security groups; none = no ACL filtering on this port (port security still pins its MAC and IP). */
  groups: string[];
  /** Its floating IP on a provider network (OVN dnat_and_snat on its router), if it has one. */
  floatingIp?: string;
}

/** OVN's service monitor for a load balancer's backends (ovn-nb(5) Load_Balancer_Health_Check options), in seconds and counts. */
export interface HealthCheck {
  intervalS: number;
  timeoutS: number;
  successCount: number;
  failureCount: number;
}

/**
 * A service VIP: an OVN load balancer on a router (lr-lb-add) and on each of its switches
 * (ls-lb-add), so tenant VMs and, for a VIP on a provider network, the outside world reach it.
 */
export interface LoadBalancer {
  name: string;
  vip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** VM names. */
  backends: string[];
  backendPort: number;
  /** The router it is attached to: the router of the backends' switches. */
  router: string;
  /** Undefined: not declared (no health check; a dead backend keeps its share). */
  healthCheck?: HealthCheck;
  /** What a session to the VIP gets when no backend is healthy: reject (TCP RST / ICMP unreachable, options:reject) or drop. */
  noBackend: 'reject' | 'drop';
  /** Whether the VIP sits on a provider network the router's gateway is on: the outside world reaches it. */
  exposed: boolean;
}

/** BFD on every GENEVE tunnel between chassis (OVN's NB_Global bfd-min-rx/min-tx/mult): how OVN sees a gateway chassis fail. */
export interface TunnelBfd {
  intervalMs: number;
  multiplier: number;
}

export interface Overlay {
  /** Absolute path of the intent file. */
  file: string;
  switches: LogicalSwitch[];
  routers: LogicalRouter[];
  vms: VmPort[];
  groups: SecurityGroup[];
  providers: ProviderNetwork[];
  loadBalancers: LoadBalancer[];
  /** Undefined: not declared (OVN's and OVS's defaults apply, and no failover budget can be derived). */
  tunnelBfd?: TunnelBfd;
}

/** Labels the physical side of the overlay uses on topology nodes. */
export const TEP_LABEL = 'netproof.tep';
export const OVN_ADDRESS_LABEL = 'netproof.ovn-address';
export const OVN_SB_PORT = 6642;
export const OVN_NB_PORT = 6641;
