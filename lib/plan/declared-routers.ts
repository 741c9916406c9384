// The routers as the user declared them: ASN and loopbacks from the lab's intent file, transit
// from the node's tier, ECMP width from the intent (or the `netproof.max-paths` label). Never
// from what the routers run: a router configured with the wrong ASN, or not advertising a
// loopback it should, must fail against this. Pure.
import type { Intent } from '../model/intent.ts';
import { MAX_PATHS_LABEL, NON_TRANSIT_TIERS, type LabNode } from '../model/topology.ts';
import { DEFAULT_MAX_PATHS, type RouterFacts } from './expected-routing.ts';

export interface DeclaredRouters {
  routers: RouterFacts[];
  /** What the routing expectations need but nobody declared, e.g. `the ASN of leaf5`; empty when complete. */
  undeclared: string[];
}

export function declaredRouters(nodes: readonly LabNode[], intent: Intent | undefined, names: readonly string[]): DeclaredRouters {
  const undeclared: string[] = [];
  if (!intent) undeclared.push("the routers' ASNs and loopbacks (the lab has no intent file)");
  const routers = names.map((name) => {
    const node = nodes.find((n) => n.name === name);
    const declared = intent?.routers[name];
    if (intent && declared?.asn === undefined) undeclared.push(`the ASN of ${name}`);
    if (intent && !declared?.loopbacks?.length) undeclared.push(`the loopbacks of ${name}`);
    const label = node?.labels[MAX_PATHS_LABEL];
    return {
      name,
      asn: declared?.asn ?? Number.NaN,
      transit: !NON_TRANSIT_TIERS.has(node?.tier ?? ''),
      maxPaths: declared?.maxPaths ?? (label !== undefined ? Number(label) : DEFAULT_MAX_PATHS),
      loopbacks: declared?.loopbacks ?? [],
      ...(declared?.linkBandwidthMbps ? { linkBandwidthMbps: declared.linkBandwidthMbps } : {}),
    };
  });
  return { routers, undeclared };
}

/** The skip reason of a check that needs declared routing, or undefined when everything it needs is declared. */
export function notDeclaredReason(undeclared: readonly string[], intentFile: string): string | undefined {
  if (!undeclared.length) return undefined;
  const shown = undeclared.length > 4 ? [...undeclared.slice(0, 4), `${undeclared.length - 4} more`] : undeclared;
  return `not declared: ${shown.join(', ')} — declare them in ${intentFile} (netproof intent LAB prints one from a lab that works)`;
}
