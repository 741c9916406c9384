// The ACLs OVN's northbound DB holds, against those the security groups render: names every ACL
// whose action or priority was changed, every declared one that is missing, and every one nobody
// declared. The ACL suite says this beside a cell that misbehaves, so the report names the object
// to fix, e.g. `ACL on pg_web to-lport 'outport == @pg_web && ip4 && tcp && tcp.dst == 80': action
// allow-stateless, declared allow-related`. Pure.
import type { NbAcl } from '../probes/ovn-acls.ts';
import type { DeclaredAcl } from '../render/ovn.ts';

/** `ACL on pg_web to-lport 'outport == @pg_web && …'` (or `on switch web`, for an ACL a switch holds). */
export function aclLabel(a: Pick<NbAcl, 'portGroup' | 'logicalSwitch' | 'direction' | 'match'>): string {
  const holder = a.portGroup ?? (a.logicalSwitch !== undefined ? `switch ${a.logicalSwitch}` : undefined);
  return `ACL ${holder !== undefined ? `on ${holder}` : 'on no port group or switch'} ${a.direction} '${a.match}'`;
}

const sameRule = (d: DeclaredAcl, l: NbAcl) => l.portGroup === d.portGroup && l.direction === d.direction && l.match === d.match;

/** One line per ACL that differs from the declaration; empty when the northbound DB holds exactly the declared ACLs. */
export function aclDifferences(declared: readonly DeclaredAcl[], listed: readonly NbAcl[]): string[] {
  const lines: string[] = [];
  const explained = new Set<NbAcl>();
  for (const d of declared) {
    const found = listed.filter((l) => sameRule(d, l));
    if (!found.length) lines.push(`${aclLabel(d)}: declared (${d.action} at priority ${d.priority}) but missing from the northbound DB`);
    for (const l of found) {
      explained.add(l);
      const diffs = [...(l.action !== d.action ? [`action ${l.action}, declared ${d.action}`] : []), ...(l.priority !== d.priority ? [`priority ${l.priority}, declared ${d.priority}`] : [])];
      if (diffs.length) lines.push(`${aclLabel(l)}: ${diffs.join('; ')}`);
    }
  }
  for (const l of listed) if (!explained.has(l)) lines.push(`${aclLabel(l)}: ${l.action} at priority ${l.priority}, which no security group declares`);
  return lines;
}
