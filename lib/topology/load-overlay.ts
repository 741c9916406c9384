// The overlay intent of a lab: the sidecar `X.overlay.yml` beside `X.clab.yml`. Parse it,
// check its shape against a schema, then check its meaning against itself and against the
// topology (VMs are topology nodes on compute hosts). Every problem is collected and reported
// at once, each with file:line:column, the field, and the fix — as the topology loader does.
import { resolve as resolvePath } from 'node:path';
import type { ErrorObject } from 'ajv';
import { Address4 } from 'ip-address';
import { InvalidInputError } from '../errors.ts';
import { COMPUTE_TIER, EXTERNAL_TIER, linkLabel, TIER_LABEL, VM_TIER, type LabNode, type Topology } from '../model/topology.ts';
import { fieldName, type Source } from './source.ts';
import { checkShapeWith, openSidecar, readSidecar, sidecarFileFor, type Path, type Report } from './sidecar.ts';
import type { HealthCheck, LoadBalancer, TunnelBfd, LogicalRouter, LogicalSwitch, Overlay, Protocol, ProviderNetwork, RouterGateway, SecurityGroup, SecurityRule, VmPort } from '../model/overlay.ts';

/** Switch and router names: they become parts of OVN port names (`lrp-ROUTER-SWITCH`). */
export const SWITCH_NAME = /^[a-z][a-z0-9-]{0,30}$/;
export const ROUTER_NAME = SWITCH_NAME;
/** Security-group names: they become OVN port-group names (`pg_<group>`), which allow only letters, digits and _. */
export const GROUP_NAME = /^[a-z][a-z0-9_]{0,30}$/;
export const DEFAULT_VM_MTU = 1442;
export const MIN_VM_MTU = 576;
export const MAX_VM_MTU = 9000;
export const MIN_SUBNET_PREFIX = 8;
export const MAX_SUBNET_PREFIX = 30;
/** OVN's Gateway_Chassis priority range (ovn-nb(5)). */
export const MAX_GATEWAY_PRIORITY = 32767;


interface RawRule {
  direction: 'ingress' | 'egress';
  protocol?: Protocol;
  ports?: number | string;
  'remote-cidr'?: string;
  'remote-group'?: string;
}

interface RawGateway {
  network: string;
  ip: string;
  chassis: Record<string, number>;
  snat?: string[];
  mtu?: number;
}

interface RawLoadBalancer {
  vip: string;
  port: number;
  protocol?: 'tcp' | 'udp';
  backends: string[];
  'backend-port'?: number;
  'health-check'?: { interval?: number; timeout?: number; 'success-count'?: number; 'failure-count'?: number };
  'no-backend'?: 'reject' | 'drop';
}

/** OVN's own defaults for a health check's options (ovn-nb(5)), used for what `health-check` leaves out. */
export const OVN_HEALTH_CHECK_DEFAULTS: HealthCheck = { intervalS: 5, timeoutS: 20, successCount: 3, failureCount: 3 };

interface RawOverlay {
  'tunnel-bfd'?: { interval: number; multiplier?: number };
  'load-balancers'?: Record<string, RawLoadBalancer>;
  'provider-networks'?: Record<string, { subnet: string; gateway: string; node: string }>;
  switches?: Record<string, { subnet: string }>;
  routers?: Record<string, { switches: string[]; gateway?: RawGateway }>;
  vms?: Record<string, { switch: string; ip: string; mac?: string; mtu?: number; groups?: string[]; 'floating-ip'?: string }>;
  'security-groups'?: Record<string, RawRule[]>;
}

const ruleSchema = {
  type: 'object',
  required: ['direction'],
  properties: {
    direction: { enum: ['ingress', 'egress'] },
    protocol: { enum: ['tcp', 'udp', 'icmp', 'any'] },
    ports: { type: ['integer', 'string'] },
    'remote-cidr': { type: 'string' },
    'remote-group': { type: 'string' },
  },
  additionalProperties: false,
} as const;

const gatewaySchema = {
  type: 'object',
  required: ['network', 'ip', 'chassis'],
  properties: {
    network: { type: 'string' },
    ip: { type: 'string' },
    chassis: { type: 'object', minProperties: 1, additionalProperties: { type: 'integer' } },
    snat: { type: 'array', items: { type: 'string' } },
    mtu: { type: 'integer' },
  },
  additionalProperties: false,
} as const;

const loadBalancerSchema = {
  type: 'object',
  required: ['vip', 'port', 'backends'],
  properties: {
    vip: { type: 'string' },
    port: { type: 'integer' },
    protocol: { enum: ['tcp', 'udp'] },
    backends: { type: 'array', minItems: 1, items: { type: 'string' } },
    'backend-port': { type: 'integer' },
    'health-check': {
      type: 'object',
      properties: { interval: { type: 'integer' }, timeout: { type: 'integer' }, 'success-count': { type: 'integer' }, 'failure-count': { type: 'integer' } },
      additionalProperties: false,
    },
    'no-backend': { enum: ['reject', 'drop'] },
  },
  additionalProperties: false,
} as const;

export const overlaySchema = {
  type: 'object',
  properties: {
    'tunnel-bfd': { type: 'object', required: ['interval'], properties: { interval: { type: 'integer' }, multiplier: { type: 'integer' } }, additionalProperties: false },
    'load-balancers': { type: 'object', additionalProperties: loadBalancerSchema },
    'provider-networks': {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['subnet', 'gateway', 'node'],
        properties: { subnet: { type: 'string' }, gateway: { type: 'string' }, node: { type: 'string' } },
        additionalProperties: false,
      },
    },
    switches: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['subnet'], properties: { subnet: { type: 'string' } }, additionalProperties: false },
    },
    routers: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['switches'],
        properties: { switches: { type: 'array', minItems: 1, items: { type: 'string' } }, gateway: gatewaySchema },
        additionalProperties: false,
      },
    },
    vms: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['switch', 'ip'],
        properties: {
          switch: { type: 'string' },
          ip: { type: 'string' },
          mac: { type: 'string' },
          mtu: { type: 'integer' },
          groups: { type: 'array', items: { type: 'string' } },
          'floating-ip': { type: 'string' },
        },
        additionalProperties: false,
      },
    },
    'security-groups': { type: 'object', additionalProperties: { type: 'array', items: ruleSchema } },
  },
  additionalProperties: false,
} as const;

/** `lab.overlay.yml` for `lab.clab.yml` (and `.clab.yaml`), in the same directory. */
export function overlayFileFor(clabFile: string): string {
  return sidecarFileFor(clabFile, 'overlay');
}

/** The lab's overlay intent, or undefined if it has no sidecar file. Throws InvalidInputError listing every problem. */
export async function loadOverlay(topology: Topology): Promise<Overlay | undefined> {
  const file = resolvePath(overlayFileFor(topology.file));
  const text = await readSidecar(file, 'overlay');
  return text === undefined ? undefined : parseOverlay(text, file, topology);
}

/** Validate an overlay intent against itself and the topology. Pure. Throws InvalidInputError listing every problem. */
export function parseOverlay(text: string, file: string, topology: Topology): Overlay {
  const { src, problems, report } = openSidecar(text, file);
  if (src.data === null || src.data === undefined) {
    report([], 'is empty', 'describe the overlay under switches, routers, vms and security-groups, or delete the file if the lab has no overlay');
    throw new InvalidInputError(problems);
  }
  if (!checkShape(src, report)) throw new InvalidInputError(problems);

  const raw = src.data as RawOverlay;
  const switches = checkSwitches(raw, report);
  const routers = checkRouters(raw, switches, report);
  const groups = checkGroups(raw, report);
  const providers = checkProviders(raw, topology, switches, report);
  checkGateways(raw, routers, providers, topology, report);
  const vms = checkVms(raw, topology, switches, new Set(groups.map((g) => g.name)), report);
  checkFloatingIps(raw, vms, routers, providers, report);
  const loadBalancers = checkLoadBalancers(raw, vms, routers, switches, providers, report);
  const tunnelBfd = checkTunnelBfd(raw, report);

  if (problems.length) throw new InvalidInputError(problems);
  return { file, switches: [...switches.values()].map((s) => s.sw), routers, vms, groups, providers: [...providers.values()].map((p) => p.net), loadBalancers, ...(tunnelBfd ? { tunnelBfd } : {}) };
}

// ---------------------------------------------------------------- shape

function checkShape(src: Source, report: Report): boolean {
  return checkShapeWith(src, overlaySchema, describeAjvError, report);
}

// What to write, by the field's place in the document: the first matching pattern wins.
const FIELD_HINTS: [RegExp, string][] = [
  [/^$/, 'write the overlay as a mapping with the keys provider-networks, switches, routers, vms and security-groups'],
  [/^provider-networks$/, 'write provider-networks as a mapping: provider-networks: { public: { subnet: 172.24.4.0/24, gateway: 172.24.4.1, node: ext } }'],
  [/^provider-networks\.[^.]+$/, 'write each provider network as { subnet: 172.24.4.0/24, gateway: 172.24.4.1, node: ext }'],
  [/^provider-networks\.[^.]+\.(subnet|gateway|node)$/, 'write it as a plain string'],
  [/^routers\.[^.]+\.gateway$/, 'write the gateway as { network: public, ip: 172.24.4.10, chassis: { host1: 20, host2: 10 }, snat: [web], mtu: 1400 }'],
  [/^routers\.[^.]+\.gateway\.chassis/, `map each gateway chassis to its priority (1–${MAX_GATEWAY_PRIORITY}, highest is active), e.g. chassis: { host1: 20, host2: 10 }`],
  [/^routers\.[^.]+\.gateway\.snat/, 'list the router\'s switches whose subnets leave through the gateway with its address, e.g. snat: [web, db]'],
  [/^routers\.[^.]+\.gateway\.mtu$/, `write the gateway MTU in bytes as a whole number between ${MIN_VM_MTU} and ${MAX_VM_MTU}`],
  [/^routers\.[^.]+\.gateway\.(network|ip)$/, 'write it as a plain string'],
  [/^tunnel-bfd/, 'write the tunnel BFD timers as { interval: 300, multiplier: 3 } (milliseconds; multiplier defaults to 3)'],
  [/^load-balancers$/, 'write load-balancers as a mapping: load-balancers: { web: { vip: 172.24.4.50, port: 80, backends: [vm1, vm3] } }'],
  [/^load-balancers\.[^.]+$/, 'write each load balancer as { vip: 172.24.4.50, port: 80, backends: [vm1, vm3] } (optional: protocol, backend-port, health-check, no-backend)'],
  [/^load-balancers\.[^.]+\.health-check/, 'write the health check as { interval: 2, timeout: 1, success-count: 1, failure-count: 2 } (seconds and counts, each at least 1)'],
  [/^load-balancers\.[^.]+\.(port|backend-port)$/, 'write a port number from 1 to 65535'],
  [/^load-balancers\.[^.]+\.backends/, 'list the VMs behind the VIP, e.g. backends: [vm1, vm3]'],
  [/^load-balancers\.[^.]+\.vip$/, 'write the VIP as a plain IPv4 address, e.g. 172.24.4.50'],
  [/^vms\.[^.]+\.floating-ip$/, 'write the floating IP as a plain address on a provider network, e.g. 172.24.4.101'],
  [/^switches$/, 'write switches as a mapping: switches: { web: { subnet: 10.20.1.0/24 } }'],
  [/^switches\.[^.]+$/, 'write each switch as { subnet: 10.20.1.0/24 }'],
  [/^switches\.[^.]+\.subnet$/, 'write the subnet as an IPv4 CIDR, e.g. 10.20.1.0/24'],
  [/^routers$/, 'write routers as a mapping: routers: { tenant: { switches: [web, db] } }'],
  [/^routers\.[^.]+$/, 'write each router as { switches: [web, db] } (optional: gateway)'],
  [/^routers\.[^.]+\.switches/, 'list the switch names the router joins, e.g. switches: [web, db]'],
  [/^vms$/, 'write vms as a mapping: vms: { vm1: { switch: web, ip: 10.20.1.11 } }'],
  [/^vms\.[^.]+$/, 'write each VM as { switch: web, ip: 10.20.1.11 } (optional: mac, mtu, groups, floating-ip)'],
  [/^vms\.[^.]+\.(switch|ip|mac)$/, 'write it as a plain string'],
  [/^vms\.[^.]+\.mtu$/, `write the MTU in bytes as a whole number between ${MIN_VM_MTU} and ${MAX_VM_MTU}`],
  [/^vms\.[^.]+\.groups/, 'list security-group names, e.g. groups: [web]'],
  [/^security-groups$/, 'write security-groups as a mapping from group name to its list of rules'],
  [/^security-groups\.[^.]+$/, 'write the group as a list of rules, e.g. [{ direction: ingress, protocol: icmp }] ([] for none)'],
  [/^security-groups\.[^.]+\[\d+\]$/, 'write the rule as { direction: ingress|egress, protocol: tcp|udp|icmp|any, ports: 80 or "5000-5010", remote-cidr or remote-group }'],
  [/\.direction$/, 'use direction: ingress or direction: egress'],
  [/\.protocol$/, 'use one of tcp, udp, icmp, any (or leave it out for any)'],
  [/\.ports$/, 'write a port number (80) or a quoted range ("5000-5010")'],
  [/\.remote-(cidr|group)$/, 'write it as a plain string'],
];

function hintFor(path: Path): string {
  const name = path.length ? fieldName(path) : '';
  return FIELD_HINTS.find(([re]) => re.test(name))?.[1] ?? 'see "An overlay" in netproof\'s README.md';
}

function describeAjvError(err: ErrorObject, path: Path): { message: string; fix: string } {
  switch (err.keyword) {
    case 'required':
      return { message: `is missing the required field "${err.params.missingProperty}"`, fix: `add ${err.params.missingProperty}; ${hintFor(path)}` };
    case 'additionalProperties': {
      const known = Object.keys(knownKeysAt(path));
      return {
        message: `unknown field "${err.params.additionalProperty}"`,
        fix: `remove it or check its spelling (allowed here: ${known.join(', ')})`,
      };
    }
    case 'type':
      return { message: `must be ${String(err.params.type).split(',').join(' or ')}`, fix: hintFor(path) };
    case 'enum':
      return { message: `must be one of ${(err.params.allowedValues as unknown[]).join(', ')}`, fix: hintFor(path) };
    case 'minProperties':
      return { message: `must name at least ${err.params.limit} entr${err.params.limit === 1 ? 'y' : 'ies'}`, fix: hintFor(path) };
    case 'minItems':
      return { message: `must list at least ${err.params.limit} item${err.params.limit === 1 ? '' : 's'}`, fix: hintFor(path) };
    default:
      return { message: err.message ?? 'is invalid', fix: hintFor(path) };
  }
}

/** The schema's properties at a document path (for "allowed here" lists). */
function knownKeysAt(path: Path): Record<string, unknown> {
  if (path.length === 0) return overlaySchema.properties;
  const top = path[0];
  if (top === 'provider-networks') return overlaySchema.properties['provider-networks'].additionalProperties.properties;
  if (top === 'tunnel-bfd') return overlaySchema.properties['tunnel-bfd'].properties;
  if (top === 'load-balancers') return path[2] === 'health-check' ? loadBalancerSchema.properties['health-check'].properties : loadBalancerSchema.properties;
  if (top === 'routers' && path[2] === 'gateway') return gatewaySchema.properties;
  if (top === 'switches') return overlaySchema.properties.switches.additionalProperties.properties;
  if (top === 'routers') return overlaySchema.properties.routers.additionalProperties.properties;
  if (top === 'vms') return overlaySchema.properties.vms.additionalProperties.properties;
  return ruleSchema.properties;
}

// ---------------------------------------------------------------- addresses

interface Cidr {
  addr: Address4;
  network: string;
  prefix: number;
}

/** A CIDR written in network form (a.b.c.d/n with no host bits), or why not. */
function parseCidr(s: string): Cidr | { error: string; fix: string } {
  if (!s.includes('/') || !Address4.isValid(s)) return { error: `"${s}" is not an IPv4 CIDR`, fix: 'write it as network/prefix-length, e.g. 10.20.1.0/24' };
  const addr = new Address4(s);
  const network = addr.startAddress().correctForm();
  const canonical = `${network}/${addr.subnetMask}`;
  if (canonical !== s) {
    return addr.addressMinusSuffix !== network
      ? { error: `"${s}" has host bits set`, fix: `write the network address: ${canonical}` }
      : { error: `"${s}" is not in canonical form`, fix: `write it as ${canonical}` };
  }
  return { addr, network, prefix: addr.subnetMask };
}

function isPlainIp4(s: string): boolean {
  return !s.includes('/') && Address4.isValid(s) && new Address4(s).correctForm() === s;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** A VM port's default MAC: `02:00:` + the four bytes of its IP (10.20.1.11 → 02:00:0a:14:01:0b). */
export function defaultVmMac(ip: string): string {
  return ['02', '00', ...new Address4(ip).toArray().map(hex2)].join(':');
}

/** A router port's MAC: `02:01:` + the four bytes of its gateway address. */
export function routerPortMac(gateway: string): string {
  return ['02', '01', ...new Address4(gateway).toArray().map(hex2)].join(':');
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function macProblem(mac: string): string | undefined {
  if (!MAC.test(mac)) return 'is not a MAC address (six hex bytes separated by colons)';
  if (parseInt(mac.slice(0, 2), 16) & 1) return 'is a multicast address (the lowest bit of its first byte is set)';
  if (mac === '00:00:00:00:00:00') return 'is the all-zero address';
  return undefined;
}

// ---------------------------------------------------------------- switches and routers

interface CheckedSwitch {
  sw: LogicalSwitch;
  /** Undefined if the subnet was invalid (already reported). */
  cidr?: Cidr;
}

function checkSwitches(raw: RawOverlay, report: Report): Map<string, CheckedSwitch> {
  const out = new Map<string, CheckedSwitch>();
  for (const [name, s] of Object.entries(raw.switches ?? {})) {
    const at: Path = ['switches', name];
    if (!SWITCH_NAME.test(name)) {
      report(at, `switch name "${name}" cannot be used in OVN port names`, 'use 1–31 characters: lower-case letters, digits and -, starting with a letter');
    }
    const parsed = parseCidr(s.subnet);
    let cidr: Cidr | undefined;
    if ('error' in parsed) {
      report([...at, 'subnet'], `subnet ${parsed.error}`, parsed.fix);
    } else if (parsed.prefix < MIN_SUBNET_PREFIX || parsed.prefix > MAX_SUBNET_PREFIX) {
      report([...at, 'subnet'], `subnet ${s.subnet} has prefix length /${parsed.prefix}`, `use a prefix length between /${MIN_SUBNET_PREFIX} and /${MAX_SUBNET_PREFIX}`);
    } else {
      cidr = parsed;
      const clash = [...out.values()].find((o) => o.cidr && (o.cidr.addr.isInSubnet(parsed.addr) || parsed.addr.isInSubnet(o.cidr.addr)));
      if (clash) report([...at, 'subnet'], `subnet ${s.subnet} overlaps switch ${clash.sw.name} (${clash.sw.subnet})`, 'give every switch its own, non-overlapping subnet');
    }
    out.set(name, { sw: { name, subnet: s.subnet }, cidr });
  }
  return out;
}

function knownList(names: Iterable<string>, what: string, where: string): string {
  const all = [...names];
  return all.length ? `use one of: ${all.join(', ')}` : `define it under ${where} (no ${what} is defined)`;
}

function checkRouters(raw: RawOverlay, switches: Map<string, CheckedSwitch>, report: Report): LogicalRouter[] {
  const routers: LogicalRouter[] = [];
  const joinedBy = new Map<string, string>();
  for (const [name, r] of Object.entries(raw.routers ?? {})) {
    const at: Path = ['routers', name];
    if (!ROUTER_NAME.test(name)) {
      report(at, `router name "${name}" cannot be used in OVN port names`, 'use 1–31 characters: lower-case letters, digits and -, starting with a letter');
    }
    const joined: string[] = [];
    r.switches.forEach((swName, i) => {
      const path: Path = [...at, 'switches', i];
      const s = switches.get(swName);
      if (!s) {
        report(path, `names unknown switch "${swName}"`, knownList(switches.keys(), 'switch', 'switches'));
        return;
      }
      if (joined.includes(swName)) {
        report(path, `lists switch ${swName} twice`, 'list each switch once');
        return;
      }
      const other = joinedBy.get(swName);
      if (other !== undefined) {
        report(path, `switch ${swName} already joins router ${other}; a switch joins at most one router`, `remove ${swName} from one of the routers ${other} and ${name}`);
        return;
      }
      joinedBy.set(swName, name);
      joined.push(swName);
      if (s.cidr) s.sw.gateway = s.cidr.addr.startAddress().offset(1).correctForm();
    });
    routers.push({ name, switches: joined });
  }
  return routers;
}

// ---------------------------------------------------------------- provider networks and gateways

interface CheckedProvider {
  net: ProviderNetwork;
  cidr: Cidr;
}

/** An address in `c` that is neither its network nor its broadcast address, or why not. */
function hostAddressProblem(ip: string, c: Cidr, subnet: string): string | undefined {
  if (!isPlainIp4(ip)) return ip.includes('/') ? `"${ip}" has a prefix length (write the address alone)` : `"${ip}" is not an IPv4 address`;
  if (!new Address4(ip).isInSubnet(c.addr)) return `${ip} is outside ${subnet}`;
  if (ip === c.network || ip === c.addr.endAddress().correctForm()) return `${ip} is the ${ip === c.network ? 'network' : 'broadcast'} address of ${subnet}`;
  return undefined;
}

function checkProviders(raw: RawOverlay, topology: Topology, switches: Map<string, CheckedSwitch>, report: Report): Map<string, CheckedProvider> {
  const out = new Map<string, CheckedProvider>();
  const externals = topology.nodes.filter((n) => n.tier === EXTERNAL_TIER).map((n) => n.name);
  for (const [name, p] of Object.entries(raw['provider-networks'] ?? {})) {
    const at: Path = ['provider-networks', name];
    let ok = true;
    if (!SWITCH_NAME.test(name) || switches.has(name)) {
      ok = false;
      report(at, switches.has(name) ? `provider network "${name}" has the name of a tenant switch (both become OVN logical switches)` : `provider network name "${name}" cannot be used in OVN port names`, 'use 1–31 characters: lower-case letters, digits and -, starting with a letter, and no tenant switch\'s name');
    }
    const cidr = parseCidr(p.subnet);
    if ('error' in cidr) {
      report([...at, 'subnet'], `subnet ${cidr.error}`, cidr.fix);
      continue;
    }
    if (cidr.prefix < MIN_SUBNET_PREFIX || cidr.prefix > MAX_SUBNET_PREFIX) {
      report([...at, 'subnet'], `subnet ${p.subnet} has prefix length /${cidr.prefix}`, `use a prefix length between /${MIN_SUBNET_PREFIX} and /${MAX_SUBNET_PREFIX}`);
      continue;
    }
    const clash = [...switches.values(), ...out.values()].find((o) => o.cidr && (o.cidr.addr.isInSubnet(cidr.addr) || cidr.addr.isInSubnet(o.cidr.addr)));
    if (clash) {
      ok = false;
      const what = 'sw' in clash ? `switch ${clash.sw.name} (${clash.sw.subnet})` : `provider network ${clash.net.name} (${clash.net.subnet})`;
      report([...at, 'subnet'], `subnet ${p.subnet} overlaps ${what}`, 'give the provider network a subnet of its own');
    }
    const bad = hostAddressProblem(p.gateway, cidr, p.subnet);
    if (bad) {
      ok = false;
      report([...at, 'gateway'], `gateway ${bad}`, `write the outside world's address on ${p.subnet} (the external node holds it), e.g. ${cidr.addr.startAddress().offset(1).correctForm()}`);
    }
    const node = topology.nodes.find((n) => n.name === p.node);
    if (!node || node.tier !== EXTERNAL_TIER) {
      ok = false;
      report(
        [...at, 'node'],
        node ? `node ${p.node} does not stand for the outside world: it ${tierText(node)}` : `names no node of the topology ${topology.file}`,
        externals.length ? `use one of the external nodes: ${externals.join(', ')}` : `add a node with labels: { ${TIER_LABEL}: ${EXTERNAL_TIER} } linked to each gateway chassis, holding ${p.gateway} (its exec lines set it up)`,
      );
    }
    if (ok) out.set(name, { net: { name, subnet: p.subnet, gateway: p.gateway, node: p.node }, cidr });
  }
  return out;
}

/** Compute nodes linked to `external` by a topology link: the chassis that can carry its provider network. */
function chassisLinkedTo(topology: Topology, external: string): Set<string> {
  const tiers = new Map(topology.nodes.map((n) => [n.name, n.tier]));
  const linked = new Set<string>();
  for (const l of topology.links) {
    const [a, b] = l.endpoints;
    if (a.node === external && tiers.get(b.node) === COMPUTE_TIER) linked.add(b.node);
    if (b.node === external && tiers.get(a.node) === COMPUTE_TIER) linked.add(a.node);
  }
  return linked;
}

function checkGateways(raw: RawOverlay, routers: LogicalRouter[], providers: Map<string, CheckedProvider>, topology: Topology, report: Report): void {
  const ipOwner = new Map<string, string>();
  for (const router of routers) {
    const g = raw.routers?.[router.name]?.gateway;
    if (!g) continue;
    const at: Path = ['routers', router.name, 'gateway'];
    let ok = true;
    const provider = providers.get(g.network);
    if (!provider) {
      ok = false;
      const defined = Object.keys(raw['provider-networks'] ?? {});
      report([...at, 'network'], defined.includes(g.network) ? `provider network ${g.network} is invalid (reported there)` : `names unknown provider network "${g.network}"`, knownList(defined, 'provider network', 'provider-networks'));
    } else {
      const bad = hostAddressProblem(g.ip, provider.cidr, provider.net.subnet);
      if (bad || g.ip === provider.net.gateway) {
        ok = false;
        report([...at, 'ip'], bad ? `ip ${bad}` : `ip ${g.ip} is the provider network's own gateway (the outside world's address)`, `use a free address in ${provider.net.subnet}`);
      } else if (ipOwner.has(g.ip)) {
        ok = false;
        report([...at, 'ip'], `ip ${g.ip} is already router ${ipOwner.get(g.ip)}'s gateway address`, 'give every router its own gateway address');
      } else ipOwner.set(g.ip, router.name);
    }

    const linked = provider ? chassisLinkedTo(topology, provider.net.node) : new Set<string>();
    const computes = topology.nodes.filter((n) => n.tier === COMPUTE_TIER).map((n) => n.name);
    const chassis = Object.entries(g.chassis).map(([node, priority]) => ({ node, priority }));
    for (const c of chassis) {
      const path: Path = [...at, 'chassis', c.node];
      if (!computes.includes(c.node)) {
        ok = false;
        report(path, `names no ${COMPUTE_TIER} node (an OVN chassis) of the topology ${topology.file}`, `use compute nodes linked to ${provider?.net.node ?? 'the external node'}${linked.size ? `: ${[...linked].join(', ')}` : ''}`);
      } else if (provider && !linked.has(c.node)) {
        ok = false;
        report(path, `chassis ${c.node} has no link to ${provider.net.node}, the node of provider network ${provider.net.name}: it could not carry the gateway`, `link ${c.node} to ${provider.net.node} in ${topology.file}${linked.size ? `, or use ${[...linked].join(', ')}` : ''}`);
      }
      if (c.priority < 1 || c.priority > MAX_GATEWAY_PRIORITY) {
        ok = false;
        report(path, `priority ${c.priority} is outside 1..${MAX_GATEWAY_PRIORITY}`, `use a priority from 1 to ${MAX_GATEWAY_PRIORITY}; the highest is the active gateway`);
      }
    }
    const byPriority = new Map<number, string>();
    for (const c of chassis) {
      const same = byPriority.get(c.priority);
      if (same !== undefined) {
        ok = false;
        report([...at, 'chassis', c.node], `has priority ${c.priority}, as ${same} does: which chassis is active would be OVN's arbitrary choice`, 'give every gateway chassis its own priority');
      } else byPriority.set(c.priority, c.node);
    }

    const snat: string[] = [];
    (g.snat ?? []).forEach((sw, i) => {
      if (!router.switches.includes(sw)) {
        ok = false;
        report([...at, 'snat', i], `names switch "${sw}", which router ${router.name} does not join`, `list switches of ${router.name}: ${router.switches.join(', ')}`);
      } else if (snat.includes(sw)) {
        ok = false;
        report([...at, 'snat', i], `lists switch ${sw} twice`, 'list each switch once');
      } else snat.push(sw);
    });
    if (g.mtu !== undefined && (g.mtu < MIN_VM_MTU || g.mtu > MAX_VM_MTU)) {
      ok = false;
      report([...at, 'mtu'], `mtu ${g.mtu} is outside ${MIN_VM_MTU}..${MAX_VM_MTU}`, `use the provider network's MTU, between ${MIN_VM_MTU} and ${MAX_VM_MTU} bytes`);
    }
    if (ok && provider) {
      const gateway: RouterGateway = { network: g.network, ip: g.ip, prefixLength: provider.cidr.prefix, chassis: chassis.sort((a, b) => b.priority - a.priority), snat };
      if (g.mtu !== undefined) gateway.mtu = g.mtu;
      router.gateway = gateway;
    }
  }
}

function checkFloatingIps(raw: RawOverlay, vms: VmPort[], routers: LogicalRouter[], providers: Map<string, CheckedProvider>, report: Report): void {
  const taken = new Map<string, string>(routers.flatMap((r) => (r.gateway ? [[r.gateway.ip, `router ${r.name}'s gateway address`] as const] : [])));
  for (const p of providers.values()) taken.set(p.net.gateway, `provider network ${p.net.name}'s gateway`);
  for (const vm of vms) {
    const fip = raw.vms?.[vm.name]?.['floating-ip'];
    if (fip === undefined) continue;
    const at: Path = ['vms', vm.name, 'floating-ip'];
    const router = routers.find((r) => r.switches.includes(vm.switch));
    if (!router?.gateway) {
      report(at, router ? `router ${router.name} (of switch ${vm.switch}) has no gateway, so no floating IP can reach ${vm.name}` : `switch ${vm.switch} joins no router, so no floating IP can reach ${vm.name}`, router ? `declare routers.${router.name}.gateway on a provider network` : `join ${vm.switch} to a router with a gateway`);
      continue;
    }
    const provider = providers.get(router.gateway.network)!;
    const bad = hostAddressProblem(fip, provider.cidr, provider.net.subnet);
    if (bad) {
      report(at, `floating-ip ${bad}`, `use a free address in ${provider.net.subnet}, the subnet of provider network ${provider.net.name} where router ${router.name}'s gateway sits`);
      continue;
    }
    const owner = taken.get(fip);
    if (owner !== undefined) {
      report(at, `floating-ip ${fip} is already ${owner}`, 'give every VM its own floating IP');
      continue;
    }
    taken.set(fip, `VM ${vm.name}'s floating IP`);
    vm.floatingIp = fip;
  }
}

// ---------------------------------------------------------------- tunnel BFD

function checkTunnelBfd(raw: RawOverlay, report: Report): TunnelBfd | undefined {
  const t = raw['tunnel-bfd'];
  if (!t) return undefined;
  let ok = true;
  if (t.interval < 10 || t.interval > 60_000) {
    ok = false;
    report(['tunnel-bfd', 'interval'], `interval ${t.interval} ms is outside 10..60000`, 'write the BFD interval in milliseconds, e.g. interval: 300');
  }
  const multiplier = t.multiplier ?? 3;
  if (multiplier < 1 || multiplier > 255) {
    ok = false;
    report(['tunnel-bfd', 'multiplier'], `multiplier ${multiplier} is outside 1..255`, 'write the detect multiplier as a whole number from 1 to 255, e.g. multiplier: 3');
  }
  return ok ? { intervalMs: t.interval, multiplier } : undefined;
}

// ---------------------------------------------------------------- load balancers

/** The address a health check probes a switch's backends from: the subnet's last host address, which no VM may use. */
export function healthCheckSource(subnet: string): string {
  return new Address4(subnet).endAddress().offset(-1).correctForm();
}

function checkLoadBalancers(raw: RawOverlay, vms: VmPort[], routers: LogicalRouter[], switches: Map<string, CheckedSwitch>, providers: Map<string, CheckedProvider>, report: Report): LoadBalancer[] {
  const out: LoadBalancer[] = [];
  const vmByName = new Map(vms.map((v) => [v.name, v]));
  const taken = new Map<string, string>(vms.flatMap((v) => [[v.ip, `VM ${v.name}'s address`] as const, ...(v.floatingIp ? [[v.floatingIp, `VM ${v.name}'s floating IP`] as const] : [])]));
  for (const r of routers) if (r.gateway) taken.set(r.gateway.ip, `router ${r.name}'s gateway address`);
  for (const p of providers.values()) taken.set(p.net.gateway, `provider network ${p.net.name}'s gateway`);
  for (const [name, lb] of Object.entries(raw['load-balancers'] ?? {})) {
    const at: Path = ['load-balancers', name];
    let ok = true;
    const bad = (path: Path, message: string, fix: string) => {
      ok = false;
      report(path, message, fix);
    };
    if (!SWITCH_NAME.test(name)) bad(at, `load-balancer name "${name}" cannot be used as an OVN name`, 'use 1–31 characters: lower-case letters, digits and -, starting with a letter');

    // Backends: known VMs, each once, all behind one router.
    const backends: VmPort[] = [];
    lb.backends.forEach((b, i) => {
      const vm = vmByName.get(b);
      if (!vm) bad([...at, 'backends', i], Object.hasOwn(raw.vms ?? {}, b) ? `VM ${b} is invalid (reported there)` : `names unknown VM "${b}"`, knownList(vmByName.keys(), 'VM', 'vms'));
      else if (backends.includes(vm)) bad([...at, 'backends', i], `lists VM ${b} twice`, 'list each backend once');
      else backends.push(vm);
    });
    const routerOf = (vm: VmPort) => routers.find((r) => r.switches.includes(vm.switch));
    const lbRouters = [...new Set(backends.map((vm) => routerOf(vm)?.name ?? ''))];
    let router: LogicalRouter | undefined;
    if (lbRouters.includes('')) bad([...at, 'backends'], `backend ${backends.find((vm) => !routerOf(vm))!.name} is on a switch no router joins`, 'put the backends on switches of the router the VIP is served by');
    else if (lbRouters.length > 1) bad([...at, 'backends'], `the backends sit behind ${lbRouters.length} routers (${lbRouters.join(', ')})`, 'put every backend of a load balancer behind one router');
    else router = routers.find((r) => r.name === lbRouters[0]);

    // The VIP: not taken, not inside a tenant subnet (OVN answers no ARP for it there), exposed if on the router's provider network.
    let exposed = false;
    if (!isPlainIp4(lb.vip)) bad([...at, 'vip'], `vip "${lb.vip}" is not an IPv4 address`, 'write the VIP alone, e.g. 172.24.4.50 (the port goes in port)');
    else {
      const owner = taken.get(lb.vip);
      const inSwitch = [...switches.values()].find((sw) => sw.cidr && new Address4(lb.vip).isInSubnet(sw.cidr.addr));
      const provider = [...providers.values()].find((p) => new Address4(lb.vip).isInSubnet(p.cidr.addr));
      if (owner !== undefined) bad([...at, 'vip'], `vip ${lb.vip} is already ${owner}`, 'give the VIP an address of its own');
      else if (inSwitch) bad([...at, 'vip'], `vip ${lb.vip} is inside switch ${inSwitch.sw.name}'s subnet ${inSwitch.sw.subnet}, where OVN answers no ARP for it`, "use an address outside every tenant subnet, or on the router's provider network to expose it to the outside");
      else if (provider) {
        const hostBad = hostAddressProblem(lb.vip, provider.cidr, provider.net.subnet);
        if (hostBad) bad([...at, 'vip'], `vip ${hostBad}`, `use a free host address in ${provider.net.subnet}`);
        else if (router && router.gateway?.network !== provider.net.name) bad([...at, 'vip'], `vip ${lb.vip} is on provider network ${provider.net.name}, but router ${router.name} has no gateway there`, `declare routers.${router.name}.gateway on ${provider.net.name}, or use an address outside the provider networks`);
        else exposed = true;
      }
      if (ok) taken.set(lb.vip, `load balancer ${name}'s VIP`);
    }

    const port = lb.port;
    const backendPort = lb['backend-port'] ?? port;
    for (const [key, value] of [['port', port], ['backend-port', lb['backend-port']]] as const) {
      if (value !== undefined && (value < 1 || value > 65535)) bad([...at, key], `${key} ${value} is outside 1..65535`, 'write a port number from 1 to 65535');
    }

    let healthCheck: HealthCheck | undefined;
    const hc = lb['health-check'];
    if (hc) {
      healthCheck = {
        intervalS: hc.interval ?? OVN_HEALTH_CHECK_DEFAULTS.intervalS,
        timeoutS: hc.timeout ?? OVN_HEALTH_CHECK_DEFAULTS.timeoutS,
        successCount: hc['success-count'] ?? OVN_HEALTH_CHECK_DEFAULTS.successCount,
        failureCount: hc['failure-count'] ?? OVN_HEALTH_CHECK_DEFAULTS.failureCount,
      };
      for (const key of ['interval', 'timeout', 'success-count', 'failure-count'] as const) {
        const v = hc[key];
        if (v !== undefined && (v < 1 || v > 3600)) bad([...at, 'health-check', key], `${key} ${v} is outside 1..3600`, `write ${key} as a whole number from 1 to 3600 (leave it out for OVN's default)`);
      }
      for (const vm of backends) {
        const sw = switches.get(vm.switch)!;
        const source = healthCheckSource(sw.sw.subnet);
        const user = vms.find((v) => v.ip === source);
        if (user) bad([...at, 'health-check'], `the health check probes ${vm.name} from ${source}, the last host address of ${sw.sw.subnet}, but VM ${user.name} uses it`, `give ${user.name} another address: the health check of a switch's backends comes from its last host address`);
      }
    }

    if (ok && router) {
      out.push({
        name,
        vip: lb.vip,
        port,
        protocol: lb.protocol ?? 'tcp',
        backends: backends.map((vm) => vm.name),
        backendPort,
        router: router.name,
        ...(healthCheck ? { healthCheck } : {}),
        noBackend: lb['no-backend'] ?? 'drop',
        exposed,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- security groups

function parsePorts(ports: number | string): { min: number; max: number } | { error: string } {
  let min: number;
  let max: number;
  if (typeof ports === 'number') {
    min = max = ports;
  } else {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(ports);
    if (!m) return { error: `"${ports}" is neither a port number nor a range "min-max"` };
    min = Number(m[1]);
    max = m[2] === undefined ? min : Number(m[2]);
  }
  for (const p of [min, max]) if (p < 1 || p > 65535) return { error: `port ${p} is outside 1..65535` };
  if (min > max) return { error: `range ${min}-${max} runs backwards` };
  return { min, max };
}

function checkGroups(raw: RawOverlay, report: Report): SecurityGroup[] {
  const defined = raw['security-groups'] ?? {};
  const groups: SecurityGroup[] = [];
  for (const [name, rawRules] of Object.entries(defined)) {
    const at: Path = ['security-groups', name];
    if (!GROUP_NAME.test(name)) {
      report(at, `security-group name "${name}" cannot be used in an OVN port-group name`, 'use 1–31 characters: lower-case letters, digits and _, starting with a letter (no -)');
    }
    const rules: SecurityRule[] = rawRules.map((r, i) => {
      const path: Path = [...at, i];
      const protocol: Protocol = r.protocol ?? 'any';
      const rule: SecurityRule = { id: `${name}#${i + 1}`, direction: r.direction, protocol };
      if (r.ports !== undefined) {
        if (protocol !== 'tcp' && protocol !== 'udp') {
          report([...path, 'ports'], `ports apply only to tcp and udp, but protocol is ${protocol}`, 'remove ports, or set protocol: tcp or protocol: udp');
        } else {
          const ports = parsePorts(r.ports);
          if ('error' in ports) report([...path, 'ports'], `ports ${ports.error}`, 'write a port number (80) or a quoted range "min-max" with 1 ≤ min ≤ max ≤ 65535');
          else rule.ports = ports;
        }
      }
      const cidr = r['remote-cidr'];
      const remoteGroup = r['remote-group'];
      if (cidr !== undefined && remoteGroup !== undefined) {
        report(path, 'sets both remote-cidr and remote-group', 'keep one of them; write two rules to allow both');
      }
      if (cidr !== undefined) {
        const parsed = parseCidr(cidr);
        if ('error' in parsed) report([...path, 'remote-cidr'], `remote-cidr ${parsed.error}`, `${parsed.fix} (a single address is a /32)`);
        else rule.remoteCidr = cidr;
      }
      if (remoteGroup !== undefined) {
        if (!Object.hasOwn(defined, remoteGroup)) report([...path, 'remote-group'], `names unknown security group "${remoteGroup}"`, knownList(Object.keys(defined), 'group', 'security-groups'));
        else rule.remoteGroup = remoteGroup;
      }
      return rule;
    });
    groups.push({ name, rules });
  }
  return groups;
}

// ---------------------------------------------------------------- VMs

function tierText(n: LabNode): string {
  return n.tier === undefined ? `has no ${TIER_LABEL} label` : `has ${TIER_LABEL}: ${n.tier}`;
}

function checkVms(raw: RawOverlay, topology: Topology, switches: Map<string, CheckedSwitch>, groupNames: Set<string>, report: Report): VmPort[] {
  const rawVms = raw.vms ?? {};
  const nodes = new Map(topology.nodes.map((n) => [n.name, n]));
  const vmNodes = topology.nodes.filter((n) => n.tier === VM_TIER).map((n) => n.name);
  const vms: VmPort[] = [];
  const ipOwner = new Map<string, string>();
  const macs: { vm: string; mac: string; given: boolean }[] = [];

  for (const [name, v] of Object.entries(rawVms)) {
    const at: Path = ['vms', name];
    let ok = true;

    // The topology side: a vm node, on exactly one compute host.
    const node = nodes.get(name);
    let host = '';
    let hostIface = '';
    let iface = '';
    if (!node) {
      ok = false;
      report(at, `names no node of the topology ${topology.file}`, vmNodes.length ? `use one of the VM nodes: ${vmNodes.join(', ')}` : `add a node "${name}" with labels: { ${TIER_LABEL}: ${VM_TIER} } to the topology`);
    } else if (node.tier !== VM_TIER) {
      ok = false;
      report(at, `node ${name} is not a VM: it ${tierText(node)}`, `set labels: { ${TIER_LABEL}: ${VM_TIER} } on ${name} in ${topology.file}, or remove it from vms`);
    } else {
      const toCompute = topology.links.flatMap((l) => {
        const mine = l.endpoints.findIndex((e) => e.node === name);
        if (mine < 0) return [];
        const self = l.endpoints[mine]!;
        const peer = l.endpoints[1 - mine]!;
        return nodes.get(peer.node)?.tier === COMPUTE_TIER ? [{ self, peer, label: linkLabel(l) }] : [];
      });
      if (toCompute.length !== 1) {
        ok = false;
        const computes = topology.nodes.filter((n) => n.tier === COMPUTE_TIER).map((n) => n.name);
        report(
          at,
          toCompute.length === 0
            ? `VM ${name} is linked to no ${COMPUTE_TIER} node in ${topology.file}`
            : `VM ${name} is linked to ${toCompute.length} ${COMPUTE_TIER} nodes (${toCompute.map((c) => c.label).join('; ')}); a VM sits on exactly one`,
          toCompute.length === 0
            ? `add a link such as endpoints: ["${name}:eth1", "${computes[0] ?? 'compute1'}:ethN"] under topology.links${computes.length ? ` (compute nodes: ${computes.join(', ')})` : ''}`
            : 'keep one link to a compute node and remove the others',
        );
      } else {
        const c = toCompute[0]!;
        host = c.peer.node;
        hostIface = c.peer.iface;
        iface = c.self.iface;
      }
    }

    // The overlay side: switch, address, MAC, MTU, groups.
    const sw = switches.get(v.switch);
    if (!sw) {
      ok = false;
      report([...at, 'switch'], `names unknown switch "${v.switch}"`, knownList(switches.keys(), 'switch', 'switches'));
    } else if (!sw.cidr) ok = false; // its subnet is wrong, reported there

    if (!isPlainIp4(v.ip)) {
      ok = false;
      report(
        [...at, 'ip'],
        v.ip.includes('/') ? `ip "${v.ip}" has a prefix length` : `ip "${v.ip}" is not an IPv4 address`,
        v.ip.includes('/') ? `write the address alone (${v.ip.split('/')[0]}); the prefix length comes from the switch's subnet` : 'write it as four decimal bytes, e.g. 10.20.1.11',
      );
    } else {
      if (sw?.cidr) {
        const c = sw.cidr;
        const addr = new Address4(v.ip);
        const broadcast = c.addr.endAddress().correctForm();
        const freeRange = `${c.addr.startAddress().offset(sw.sw.gateway ? 2 : 1).correctForm()}–${c.addr.endAddress().offset(-1).correctForm()}`;
        if (!addr.isInSubnet(c.addr)) {
          ok = false;
          report([...at, 'ip'], `ip ${v.ip} is outside switch ${sw.sw.name}'s subnet ${sw.sw.subnet}`, `use an address in ${freeRange}, or put the VM on the switch whose subnet holds it`);
        } else if (v.ip === c.network || v.ip === broadcast || v.ip === sw.sw.gateway) {
          ok = false;
          const what = v.ip === c.network ? 'network address' : v.ip === broadcast ? 'broadcast address' : 'router gateway address';
          report([...at, 'ip'], `ip ${v.ip} is the ${what} of ${sw.sw.subnet}`, `use an address in ${freeRange}`);
        }
      }
      const other = ipOwner.get(v.ip);
      if (other !== undefined) {
        ok = false;
        report([...at, 'ip'], `ip ${v.ip} is already used by VM ${other}`, 'give every VM its own address');
      } else ipOwner.set(v.ip, name);
    }

    let mac = '';
    if (v.mac !== undefined) {
      const lower = v.mac.toLowerCase();
      const bad = macProblem(lower);
      if (bad) {
        ok = false;
        report([...at, 'mac'], `mac "${v.mac}" ${bad}`, 'write a unicast MAC such as 02:00:0a:14:01:0b, or leave mac out to derive it from the IP');
      } else {
        mac = lower;
        macs.push({ vm: name, mac, given: true });
      }
    } else if (isPlainIp4(v.ip)) {
      mac = defaultVmMac(v.ip);
      macs.push({ vm: name, mac, given: false });
    }

    const mtu = v.mtu ?? DEFAULT_VM_MTU;
    if (mtu < MIN_VM_MTU || mtu > MAX_VM_MTU) {
      ok = false;
      report([...at, 'mtu'], `mtu ${mtu} is outside ${MIN_VM_MTU}..${MAX_VM_MTU}`, `use an MTU between ${MIN_VM_MTU} and ${MAX_VM_MTU} bytes (leave it out for ${DEFAULT_VM_MTU}, which leaves room for Geneve)`);
    }

    const groups: string[] = [];
    (v.groups ?? []).forEach((g, i) => {
      if (!groupNames.has(g)) {
        ok = false;
        report([...at, 'groups', i], `names unknown security group "${g}"`, knownList(groupNames, 'group', 'security-groups'));
      } else if (groups.includes(g)) {
        ok = false;
        report([...at, 'groups', i], `lists security group ${g} twice`, 'list each group once');
      } else groups.push(g);
    });

    if (ok) {
      vms.push({ name, switch: v.switch, ip: v.ip, prefixLength: sw!.cidr!.prefix, mac, mtu, host, hostIface, iface, groups });
    }
  }

  // MACs: a user-given MAC must repeat neither another VM's MAC (given or derived) nor a router port's.
  // Two derived MACs repeat only when the IPs do, which is reported already.
  const routerMacs = new Map([...switches.values()].flatMap((s) => (s.sw.gateway ? [[routerPortMac(s.sw.gateway), s.sw.name] as const] : [])));
  const macOwner = new Map<string, { vm: string; given: boolean }>();
  for (const m of macs) {
    const first = macOwner.get(m.mac);
    const router = routerMacs.get(m.mac);
    if (first && m.given) {
      report(['vms', m.vm, 'mac'], `mac ${m.mac} is already used by VM ${first.vm}`, 'give every VM its own MAC, or leave mac out to derive it from the IP');
    } else if (first && first.given) {
      report(['vms', first.vm, 'mac'], `mac ${m.mac} is also the MAC VM ${m.vm} derives from its IP`, `choose another MAC for ${first.vm}, or leave mac out to derive it from its IP`);
    } else if (router !== undefined && m.given) {
      report(['vms', m.vm, 'mac'], `mac ${m.mac} is the MAC of the router port on switch ${router}`, 'choose another MAC, or leave mac out to derive it from the IP');
    }
    if (!first) macOwner.set(m.mac, m);
  }

  // Every VM node of the topology needs its overlay port.
  for (const vm of vmNodes) {
    if (!Object.hasOwn(rawVms, vm)) {
      report(['vms'], `has no entry for VM node ${vm} (it has ${TIER_LABEL}: ${VM_TIER} in ${topology.file})`, `add ${vm}: { switch: …, ip: … } under vms, or change its ${TIER_LABEL} label`);
    }
  }
  return vms;
}
