// A router's north–south objects in OVN's northbound DB against what the intent renders: every
// NAT rule missing, changed or undeclared, and every gateway chassis missing, re-prioritised or
// added. The nat suite says this beside a cell that misbehaves, so the report names the object
// to fix, e.g. `NAT dnat_and_snat 172.24.4.101 on router tenant: logical_ip 10.20.1.13, declared
// 10.20.1.11 (vms.vm1.floating-ip)`. Pure.
import type { Overlay } from '../model/overlay.ts';
import { chassisRedirectPort, type NbGatewayChassis, type NbNat } from '../probes/ovn-nats.ts';
import type { NatCell } from '../plan/nat-matrix.ts';
import type { Attempt } from '../probes/traffic.ts';
import { renderNats, routerPortName, type DeclaredNat } from '../render/ovn.ts';

/** `NAT snat 172.24.4.10 ← 10.20.1.0/24 on router tenant`, `NAT dnat_and_snat 172.24.4.101 on router tenant`. */
export function natLabel(n: Pick<NbNat, 'router' | 'type' | 'externalIp' | 'logicalIp'>): string {
  const on = n.router !== undefined ? `on router ${n.router}` : 'on no router';
  return n.type === 'snat' ? `NAT snat ${n.externalIp} ← ${n.logicalIp} ${on}` : `NAT ${n.type} ${n.externalIp} ${on}`;
}

// A SNAT rule is one per subnet (all share the gateway address); a floating IP is one per external address.
const sameRule = (d: DeclaredNat, n: NbNat) => n.router === d.router && n.type === d.type && (d.type === 'snat' ? n.logicalIp === d.logicalIp : n.externalIp === d.externalIp);

/** One line per NAT rule that differs from the declaration; empty when the northbound DB holds exactly the declared ones. */
export function natDifferences(declared: readonly DeclaredNat[], listed: readonly NbNat[]): string[] {
  const lines: string[] = [];
  const explained = new Set<NbNat>();
  for (const d of declared) {
    const found = listed.filter((n) => sameRule(d, n));
    if (!found.length) lines.push(`${natLabel(d)}: declared by ${d.declaredBy} but missing from the northbound DB`);
    for (const n of found) {
      explained.add(n);
      if (d.type === 'snat' && n.externalIp !== d.externalIp) lines.push(`${natLabel(n)}: external_ip ${n.externalIp}, declared ${d.externalIp} (${d.declaredBy})`);
      if (d.type !== 'snat' && n.logicalIp !== d.logicalIp) lines.push(`${natLabel(n)}: logical_ip ${n.logicalIp}, declared ${d.logicalIp} (${d.declaredBy})`);
    }
  }
  for (const n of listed) if (!explained.has(n)) lines.push(`${natLabel(n)}${n.type === 'snat' ? '' : ` → ${n.logicalIp}`}: in the northbound DB, but the intent declares no such NAT`);
  return lines;
}

/** One line per gateway chassis of a declared gateway port that is missing, has another priority, or was added. */
export function gatewayChassisDifferences(overlay: Overlay, listed: readonly NbGatewayChassis[]): string[] {
  const lines: string[] = [];
  for (const r of overlay.routers) {
    const g = r.gateway;
    if (!g) continue;
    const port = routerPortName(r.name, g.network);
    const mine = listed.filter((l) => l.port === port);
    for (const c of g.chassis) {
      const found = mine.find((l) => l.chassis === c.node);
      if (!found) lines.push(`gateway port ${port}: chassis ${c.node} (priority ${c.priority}, routers.${r.name}.gateway.chassis) is missing from the northbound DB`);
      else if (found.priority !== c.priority) lines.push(`gateway port ${port}: chassis ${c.node} has priority ${found.priority}, declared ${c.priority} (routers.${r.name}.gateway.chassis)`);
    }
    for (const l of mine) if (!g.chassis.some((c) => c.node === l.chassis)) lines.push(`gateway port ${port}: chassis ${l.chassis} (priority ${l.priority}) is in the northbound DB, but the intent does not declare it`);
    const priorities = mine.map((l) => l.priority);
    if (new Set(priorities).size < priorities.length) lines.push(`gateway port ${port}: ${mine.length} chassis share priorities (${mine.map((l) => `${l.chassis} ${l.priority}`).join(', ')}): which one is active is OVN's arbitrary choice`);
  }
  return lines;
}

/**
 * One line per declared gateway port that is not active on its highest-priority chassis, given
 * the southbound bindings (chassis-redirect port → chassis), or has no chassis-redirect port at all.
 */
export function gatewayBindingDifferences(overlay: Overlay, bindings: ReadonlyMap<string, string | undefined>): string[] {
  return overlay.routers.flatMap((r) => {
    if (!r.gateway) return [];
    const port = routerPortName(r.name, r.gateway.network);
    const cr = chassisRedirectPort(port);
    const preferred = r.gateway.chassis[0]!;
    if (!bindings.has(cr)) return [`gateway port ${port}: OVN's southbound DB has no ${cr} (is it a gateway port with chassis in the northbound DB?)`];
    const active = bindings.get(cr);
    return active === preferred.node ? [] : [`gateway port ${port}: active on ${active ?? 'no chassis'}, expected ${preferred.node} (priority ${preferred.priority}, the highest in routers.${r.name}.gateway.chassis)`];
  });
}

/** Both comparisons for an overlay: the NAT rules, then the gateway chassis. */
export function northSouthDifferences(overlay: Overlay, observed: { nats: readonly NbNat[]; gatewayChassis: readonly NbGatewayChassis[] }): string[] {
  return [...natDifferences(renderNats(overlay), observed.nats), ...gatewayChassisDifferences(overlay, observed.gatewayChassis)];
}

/**
 * What is wrong with one north–south cell's attempt, in words (`vm3 answered, seeing source
 * 172.24.4.1`; `no answer (connection refused)`), or undefined when it did what the intent says.
 * ICMP echo shows only that something answered, not who or what source it saw.
 */
export function cellProblem(c: Pick<NatCell, 'expected' | 'probe'>, o: Attempt): string | undefined {
  const e = c.expected;
  const said = o.ok ? `${o.by ?? 'something'} answered${o.seen ? `, seeing source ${o.seen}` : ''}` : `no answer (${o.detail})`;
  if (!e.reach) return o.ok ? said : undefined;
  if (!o.ok) return said;
  if (c.probe.protocol === 'icmp') return undefined;
  return o.by === e.answeredBy && o.seen === e.seenSource ? undefined : said;
}
