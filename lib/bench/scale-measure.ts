// The scale bench's measurements, pure: what a converged Clos must have (from the plan, never
// from the routers), whether every router's kernel FIB has it, when zebra last changed any of
// it, and what the routers' processes cost.
import { NON_TRANSIT_TIERS } from '../model/topology.ts';
import { loopbacksOf, type ClosPlan } from '../plan/clos.ts';
import { expectedRoutes, type ExpectedRoute } from '../plan/expected-routing.ts';

/** Every router's expected loopback routes with their ECMP width, as the bgp-convergence suite expects them. */
export function closExpectedRoutes(plan: ClosPlan): ExpectedRoute[] {
  const routers = plan.routers.map((r) => ({ name: r.name, asn: r.asn, transit: !NON_TRANSIT_TIERS.has(r.tier), maxPaths: r.maxPaths, loopbacks: loopbacksOf(r) }));
  const links = plan.links.map((l) => ({ a: { node: l.a.node, iface: l.a.iface }, b: { node: l.b.node, iface: l.b.iface } }));
  return expectedRoutes(routers, links);
}

interface IpRoute {
  dst: string;
  gateway?: string;
  nexthops?: unknown[];
}

/**
 * `ip -j route show` of many namespaces, as printed by a loop that writes `netns: NAME` before
 * each: node → routes. `node` maps a namespace back to its node (undefined: not one of ours).
 */
export function parseRoutesByNamespace(stdout: string, node: (namespace: string) => string | undefined): Map<string, IpRoute[]> {
  const out = new Map<string, IpRoute[]>();
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^netns: (\S+)$/.exec(line);
    if (header) current = node(header[1]!);
    else if (current !== undefined && line.trim().startsWith('[')) out.set(current, JSON.parse(line) as IpRoute[]);
  }
  return out;
}

/** One line per expected route a router's kernel FIB does not have with its width; empty once the fabric converged. */
export function fibMissing(expected: readonly ExpectedRoute[], fibs: Map<string, IpRoute[]>): string[] {
  const lines: string[] = [];
  // Indexed once per call: a 400-router fabric expects 160 000 routes.
  const byDst = new Map([...fibs].map(([router, routes]) => [router, new Map(routes.map((r) => [r.dst.includes('/') ? r.dst : `${r.dst}/32`, r]))]));
  for (const e of expected) {
    const routes = byDst.get(e.at);
    if (!routes) {
      lines.push(`${e.at}: no FIB read`);
      continue;
    }
    const r = routes.get(e.prefix);
    const width = r ? (r.nexthops?.length ?? (r.gateway ? 1 : 0)) : 0;
    if (width !== e.width) lines.push(`${e.at}: ${e.prefix} (${e.owner}) has ${width} of ${e.width} next hops`);
  }
  return lines;
}

/** zebra's route uptime ("00:01:23", "2d03h04m", "01w2d03h") in seconds. */
export function uptimeSeconds(uptime: string): number {
  const clock = /^(\d+):(\d+):(\d+)$/.exec(uptime);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  const unit: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  const parts = [...uptime.matchAll(/(\d+)([wdhms])/g)];
  if (!parts.length) throw new Error(`not a zebra uptime: ${JSON.stringify(uptime)}`);
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u!]!, 0);
}

export interface RibRead {
  /** `show ip route json` as vtysh printed it. */
  json: Record<string, { selected?: boolean; uptime?: string }[]>;
  /** When it was read, in seconds on the bench's clock. */
  readAtS: number;
}

/**
 * When zebra last changed any expected route, in seconds on the bench's clock (1 s resolution:
 * zebra's uptimes are whole seconds). A route's uptime restarts whenever BGP sends it again (a
 * next hop added or removed), so the latest change is the moment the fabric converged.
 */
export function lastRouteChangeS(expected: readonly ExpectedRoute[], ribs: Map<string, RibRead>): number {
  let latest = -Infinity;
  for (const e of expected) {
    const rib = ribs.get(e.at);
    const selected = rib?.json[e.prefix]?.find((x) => x.selected);
    if (!rib || !selected?.uptime) throw new Error(`${e.at}: no selected route to ${e.prefix} in its RIB`);
    latest = Math.max(latest, rib.readAtS - uptimeSeconds(selected.uptime));
  }
  return latest;
}

export interface ProcessCost {
  rssKiB: number;
  peakRssKiB: number;
  pssKiB: number;
  cpuS: number;
}

/**
 * CPU seconds in /proc/PID/stat: utime+stime, and with `children` the reaped children's too
 * (cutime+cstime). The command name may hold spaces: fields count from after its closing parenthesis.
 */
export function statCpuS(stat: string, o: { children?: boolean; ticksPerSecond?: number } = {}): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return (f[11]! + f[12]! + (o.children ? f[13]! + f[14]! : 0)) / (o.ticksPerSecond ?? 100);
}

/** VmRSS and VmHWM from /proc/PID/status, Pss from smaps_rollup, utime+stime from stat (clock ticks). */
export function processCost(status: string, smapsRollup: string, stat: string, ticksPerSecond = 100): ProcessCost {
  const kib = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKiB: kib(status, 'VmRSS'), peakRssKiB: kib(status, 'VmHWM'), pssKiB: kib(smapsRollup, 'Pss'), cpuS: statCpuS(stat, { ticksPerSecond }) };
}

export const sumCosts = (costs: readonly ProcessCost[]): ProcessCost =>
  costs.reduce((a, c) => ({ rssKiB: a.rssKiB + c.rssKiB, peakRssKiB: a.peakRssKiB + c.peakRssKiB, pssKiB: a.pssKiB + c.pssKiB, cpuS: a.cpuS + c.cpuS }), { rssKiB: 0, peakRssKiB: 0, pssKiB: 0, cpuS: 0 });
