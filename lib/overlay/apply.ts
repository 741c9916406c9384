// Put the overlay intent into a running lab, whatever runtime runs it: configure each VM's
// interface, load the OVN northbound intent in one transaction on the central node, and (for
// probes) wait until every chassis has applied it. Everything goes through node.exec.
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { daemonsNotRunning } from '../lab/daemons.ts';
import { planOverlayNodes } from '../plan/chassis.ts';
import { nbctl, nbTransactionArgv, sbctl, vmInterfaceArgvs } from '../render/ovn.ts';
import { waitFor } from '../wait-for.ts';
import { parseJson } from '../exec.ts';
import { OVN_CENTRAL_TIER } from '../model/topology.ts';
import type { Overlay, VmPort } from '../model/overlay.ts';

export function centralNode(lab: StartedLab): NodeHandle {
  const central = lab.nodes().find((n) => n.spec.tier === OVN_CENTRAL_TIER);
  if (!central) throw new Error(`lab ${lab.name} has an overlay but no node labelled netproof.role: ${OVN_CENTRAL_TIER}`);
  return central;
}

async function run(node: NodeHandle, argv: string[]): Promise<string> {
  const r = await node.exec(argv, { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${node.name}: ${argv.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export async function applyOverlay(lab: StartedLab, overlay: Overlay): Promise<void> {
  await Promise.all(
    overlay.vms.map(async (vm) => {
      for (const argv of vmInterfaceArgvs(overlay, vm.name)) await run(lab.node(vm.name), argv);
    }),
  );
  await run(centralNode(lab), nbTransactionArgv(overlay));
}

/** A row of `list Logical_Switch_Port` (name, up): `up` unset is the empty set. */
export interface LspRow {
  name: string;
  up: boolean | ['set', unknown[]];
}

/**
 * Why each VM's logical port is not ready, naming the VM: its port missing from the northbound
 * DB (deleted, or never created), or there but not up on its chassis. Empty when all are up. Pure.
 */
export function vmPortsNotUp(vms: readonly Pick<VmPort, 'name' | 'switch' | 'host' | 'hostIface'>[], rows: readonly LspRow[]): string[] {
  return vms.flatMap((vm) => {
    const row = rows.find((r) => r.name === vm.name);
    if (!row) return [`${vm.name}: no logical switch port ${vm.name} in OVN's northbound DB (the overlay declares it on switch ${vm.switch}): was it deleted?`];
    return row.up === true ? [] : [`${vm.name}: logical port not up (is ovn-controller on ${vm.host} connected to the southbound DB, and its port ${vm.hostIface} on br-int?)`];
  });
}

/**
 * Poll until every VM's logical port is bound and up on its chassis, then take OVN's barrier
 * (`--wait=hv sync`: every chassis has applied the NB state). Only then may probes run. If
 * either never happens, the error names the node at fault where it can be seen: a daemon of
 * the central or a chassis that is not running, a chassis that has not applied OVN's state.
 */
export async function waitForOverlay(lab: StartedLab, overlay: Overlay, timeoutMs: number): Promise<{ elapsedMs: number }> {
  const central = centralNode(lab);
  try {
    const r = await waitFor(
      async () => {
        const json = parseJson<{ headings: string[]; data: [string, boolean | ['set', unknown[]]][] }>(
          await central.exec(nbctl('--format=json', '--columns=name,up', 'list', 'Logical_Switch_Port')),
        );
        const down = vmPortsNotUp(overlay.vms, json.data.map(([name, up]) => ({ name, up })));
        return down.length ? { ok: false, reason: down.join('\n') } : { ok: true, value: true };
      },
      { timeoutMs, intervalsMs: [100, 200, 250], description: `the ${overlay.vms.length} VM ports to be up on their chassis` },
    );
    await run(central, nbctl(`--timeout=${Math.ceil(timeoutMs / 1000)}`, '--wait=hv', 'sync'));
    return { elapsedMs: r.elapsedMs };
  } catch (e) {
    const why = await overlayNotReadyReasons(lab).catch(() => []);
    throw why.length ? new Error(`${(e as Error).message}\n${why.join('\n')}`, { cause: e }) : e;
  }
}

/**
 * Chassis that have not applied the southbound state OVN is at: `ovn-nbctl --wait=hv sync`
 * returns once every chassis' Chassis_Private.nb_cfg has reached SB_Global's. Pure.
 */
export function chassisBehind(chassis: readonly string[], reported: ReadonlyMap<string, number>, sbNbCfg: number): string[] {
  return chassis.flatMap((c) => {
    const n = reported.get(c);
    if (n === undefined) return [`${c} is not registered as a chassis in OVN's southbound DB (is its ovn-controller running and reaching the central?)`];
    return n < sbNbCfg ? [`${c} has not applied OVN's latest state (its chassis reports nb_cfg ${n}, OVN is at ${sbNbCfg}): is its ovn-controller running, and its ovs-vswitchd?`] : [];
  });
}

/** Why the overlay is not ready, by node: daemons of the central and the chassis that are not running, chassis behind OVN's state. */
export async function overlayNotReadyReasons(lab: StartedLab): Promise<string[]> {
  const plan = planOverlayNodes(lab.topology);
  const central = centralNode(lab);
  const reasons = await daemonsNotRunning([central, ...plan.chassis.map((c) => lab.node(c.node))]);
  const [rows, global] = await Promise.all([
    central.exec(sbctl('--format=json', '--columns=name,nb_cfg', 'list', 'Chassis_Private'), { timeoutMs: 10_000 }),
    central.exec(sbctl('get', 'SB_Global', '.', 'nb_cfg'), { timeoutMs: 10_000 }),
  ]);
  const sbNbCfg = Number.parseInt(global.stdout, 10);
  // The SB database down (its ovsdb-server is among the reasons above): nothing more to read.
  if (rows.exitCode === 0 && global.exitCode === 0 && Number.isInteger(sbNbCfg)) {
    const reported = new Map(parseJson<{ data: [string, number][] }>(rows).data);
    reasons.push(...chassisBehind(plan.chassis.map((c) => c.node), reported, sbNbCfg));
  }
  return reasons;
}
