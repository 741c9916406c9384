// When VMs on two chassis cannot reach each other, say which host is at fault: a daemon of
// either host or of the OVN central that is not running, a TEP that is not in the other
// chassis' FIB (not advertised), a chassis missing from OVN's southbound DB, or one whose
// registered encap IP is not its TEP.
import type { StartedLab } from '../lab/started-lab.ts';
import { daemonsNotRunning } from '../lab/daemons.ts';
import { parseJson } from '../exec.ts';
import { planOverlayNodes } from '../plan/chassis.ts';
import { OVN_SB_PORT } from '../model/overlay.ts';
import { centralNode } from '../overlay/apply.ts';
import { kernelRoutes } from './kernel.ts';

/** Reasons, naming hosts, why traffic between chassis `a` and `b` may fail; empty if none is visible. */
export async function diagnoseChassisPair(lab: StartedLab, a: string, b: string): Promise<string[]> {
  const plan = planOverlayNodes(lab.topology);
  const tep = new Map(plan.chassis.map((c) => [c.node, c.tep]));
  // A stopped daemon first: the symptoms below (a TEP withdrawn, a chassis gone) follow from it.
  const reasons = await daemonsNotRunning([lab.node(a), lab.node(b), centralNode(lab)]);
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    if (from === to) continue;
    const routes = await kernelRoutes(lab.node(from)).catch(() => []);
    if (!routes.some((r) => r.dst === `${tep.get(to)}/32`)) reasons.push(`${to}'s TEP ${tep.get(to)}/32 is not in ${from}'s FIB: is ${to} advertising it over BGP?`);
  }
  const sb = await centralNode(lab).exec(['ovn-sbctl', `--db=tcp:127.0.0.1:${OVN_SB_PORT}`, '--format=json', '--columns=name', 'list', 'Chassis']);
  if (sb.exitCode === 0) {
    const names = new Set(parseJson<{ data: [string][] }>(sb).data.map(([n]) => n));
    for (const h of [a, b]) if (!names.has(h)) reasons.push(`${h} is not registered as a chassis in OVN's southbound DB (is its ovn-controller reaching ${plan.central.address}:${OVN_SB_PORT}?)`);
  }
  // A chassis that registered with another tunnel address than its TEP gets tunnels nobody routes.
  const encaps = await centralNode(lab).exec(['ovn-sbctl', `--db=tcp:127.0.0.1:${OVN_SB_PORT}`, '--format=json', '--columns=chassis_name,ip', 'list', 'Encap']);
  if (encaps.exitCode === 0) {
    const ipOf = new Map(parseJson<{ data: [string, string][] }>(encaps).data.map(([chassis, ip]) => [chassis, ip]));
    for (const h of [a, b]) {
      const ip = ipOf.get(h);
      if (ip !== undefined && ip !== tep.get(h)) reasons.push(`${h} registered encap IP ${ip} in OVN's southbound DB, but its TEP is ${tep.get(h)} (external_ids:ovn-encap-ip on its Open_vSwitch row)`);
    }
  }
  return [...new Set(reasons)];
}
