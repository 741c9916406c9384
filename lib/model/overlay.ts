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

export interface LogicalRouter {
  name: string;
  switches: string[];
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
}

export interface Overlay {
  /** Absolute path of the intent file. */
  file: string;
  switches: LogicalSwitch[];
  routers: LogicalRouter[];
  vms: VmPort[];
  groups: SecurityGroup[];
}

/** Labels the physical side of the overlay uses on topology nodes. */
export const TEP_LABEL = 'netproof.tep';
export const OVN_ADDRESS_LABEL = 'netproof.ovn-address';
export const OVN_SB_PORT = 6642;
export const OVN_NB_PORT = 6641;
