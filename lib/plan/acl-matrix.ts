// What the security groups of an overlay must allow and deny, derived from the intent alone:
// for every pair of VMs with an L3 path and every probe, allow or deny and the rules that decide.
// Pure. The model is Neutron's, as rendered by lib/render/ovn.ts: a VM with no groups is not
// filtered; a VM with groups drops all IP except what a rule of one of its groups allows;
// rules are stateful (allow-related), so a reply needs no rule of its own.
import { Address4 } from 'ip-address';
import type { Overlay, SecurityRule, VmPort } from '../model/overlay.ts';

export type ProbeProtocol = 'tcp' | 'udp' | 'icmp';

export interface Probe {
  protocol: ProbeProtocol;
  /** Destination port for tcp and udp; absent for icmp (echo). */
  port?: number;
}

export interface Cell {
  /** VM names. */
  src: string;
  dst: string;
  probe: Probe;
  expected: 'allow' | 'deny';
  /** The rules that decide, e.g. `egress web#5 and ingress db#1`. */
  because: string;
}

export interface VmPair {
  src: VmPort;
  dst: VmPort;
}

/** The lowest port a default-deny probe uses, so it never hits a well-known service by accident. */
export const DEFAULT_DENY_PORT_FROM = 1024;

/** `icmp`, `tcp/22`. */
export function probeLabel(p: Probe): string {
  return p.port === undefined ? p.protocol : `${p.protocol}/${p.port}`;
}

/** Ordered pairs of distinct VMs with an L3 path: the same switch, or two switches joined by the same router. */
export function reachablePairs(overlay: Overlay): VmPair[] {
  const routerOf = new Map<string, string>();
  for (const r of overlay.routers) for (const s of r.switches) routerOf.set(s, r.name);
  const connected = (a: string, b: string) => a === b || (routerOf.has(a) && routerOf.get(a) === routerOf.get(b));
  const pairs: VmPair[] = [];
  for (const src of overlay.vms) {
    for (const dst of overlay.vms) {
      if (src !== dst && connected(src.switch, dst.switch)) pairs.push({ src, dst });
    }
  }
  return pairs;
}

const PROTOCOL_ORDER: Record<ProbeProtocol, number> = { icmp: 0, tcp: 1, udp: 2 };

/**
 * The probes that tell the rules apart: ICMP echo; for tcp and udp, both edges of every port range
 * any rule of that protocol names and the port just outside each; and per protocol the smallest port ≥ 1024 that no rule of it
 * names, to show the default deny (if every port ≥ 1024 is named, the smallest unnamed port below).
 * Sorted (icmp, tcp, udp; ports ascending) and without duplicates.
 */
export function probesFor(overlay: Overlay, extra: readonly Probe[] = []): Probe[] {
  const rules = overlay.groups.flatMap((g) => g.rules);
  const probes: Probe[] = [{ protocol: 'icmp' }];
  for (const protocol of ['tcp', 'udp'] as const) {
    const ranges = rules.filter((r) => r.protocol === protocol && r.ports).map((r) => r.ports!);
    // Just outside each edge too: a rule rendered one port too wide, or too narrow, is a cell that flips.
    const ports = new Set(ranges.flatMap((r) => [r.min - 1, r.min, r.max, r.max + 1]).filter((p) => p >= 1 && p <= 65535));
    const named = (p: number) => ranges.some((r) => p >= r.min && p <= r.max);
    const unnamed = firstUnnamed(DEFAULT_DENY_PORT_FROM, named) ?? firstUnnamed(1, named);
    if (unnamed !== undefined) ports.add(unnamed);
    for (const port of ports) probes.push({ protocol, port });
  }
  // Probes another lab's rules name (netproof change probes both labs with both labs' probes).
  for (const p of extra) if (p.protocol !== 'icmp' && !probes.some((q) => q.protocol === p.protocol && q.port === p.port)) probes.push({ protocol: p.protocol, port: p.port });
  return probes.sort((a, b) => PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol] || (a.port ?? 0) - (b.port ?? 0));
}

function firstUnnamed(from: number, named: (p: number) => boolean): number | undefined {
  for (let p = from; p <= 65535; p++) if (!named(p)) return p;
  return undefined;
}

/** Whether `rule` lets `probe` through with `remoteIp` on the far side. */
export function ruleMatches(overlay: Overlay, rule: SecurityRule, probe: Probe, remoteIp: string): boolean {
  if (rule.protocol !== 'any' && rule.protocol !== probe.protocol) return false;
  if (rule.ports && (probe.port === undefined || probe.port < rule.ports.min || probe.port > rule.ports.max)) return false;
  if (rule.remoteGroup !== undefined) return overlay.vms.some((vm) => vm.ip === remoteIp && vm.groups.includes(rule.remoteGroup!));
  if (rule.remoteCidr !== undefined) return new Address4(remoteIp).isInSubnet(new Address4(rule.remoteCidr));
  return true;
}

export type Side = { ok: true; text: string } | { ok: false; text: string };

/** The verdict of one VM's groups in one direction towards `peer` (a VM, or any named address), with the text that explains it. */
export function judge(overlay: Overlay, vm: VmPort, direction: 'ingress' | 'egress', probe: Probe, peer: { name: string; ip: string }): Side {
  if (vm.groups.length === 0) return { ok: true, text: `${direction} unfiltered (${vm.name} has no security group)` };
  // In the VM's own group order, then rule order: the first match is the one named.
  const rules = vm.groups.flatMap((name) => (overlay.groups.find((g) => g.name === name)?.rules ?? []).filter((r) => r.direction === direction));
  const hit = rules.find((r) => ruleMatches(overlay, r, probe, peer.ip));
  if (hit) return { ok: true, text: `${direction} ${hit.id}` };
  const listed = rules.length ? rules.map((r) => r.id).join(' ') : 'none';
  const toFrom = direction === 'ingress' ? 'from' : 'to';
  return { ok: false, text: `no ${direction} rule of ${vm.groups.join(', ')} (${listed}) matches ${probeLabel(probe)} ${toFrom} ${peer.name} ${peer.ip}` };
}

/** What the security groups must do to `probe` from `src` to `dst` (a reachable pair), and the rules that decide. */
export function expectedCell(overlay: Overlay, src: VmPort, dst: VmPort, probe: Probe): Cell {
  const out = judge(overlay, src, 'egress', probe, dst);
  const into = judge(overlay, dst, 'ingress', probe, src);
  const allowed = out.ok && into.ok;
  const because = allowed ? `${out.text} and ${into.text}` : [out, into].filter((s) => !s.ok).map((s) => s.text).join('; ');
  return { src: src.name, dst: dst.name, probe, expected: allowed ? 'allow' : 'deny', because };
}

/** One cell per reachable pair and probe (the overlay's own, and `extraProbes`): what the security groups must do to it, and why. */
export function expectedMatrix(overlay: Overlay, extraProbes: readonly Probe[] = []): Cell[] {
  const probes = probesFor(overlay, extraProbes);
  return reachablePairs(overlay).flatMap(({ src, dst }) => probes.map((probe) => expectedCell(overlay, src, dst, probe)));
}
