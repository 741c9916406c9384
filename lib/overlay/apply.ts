// Put the overlay intent into a running lab, whatever runtime runs it: configure each VM's
// interface, load the OVN northbound intent in one transaction on the central node, and (for
// probes) wait until every chassis has applied it. Everything goes through node.exec.
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { nbctl, nbTransactionArgv, vmInterfaceArgvs } from '../render/ovn.ts';
import { waitFor } from '../wait-for.ts';
import { parseJson } from '../exec.ts';
import { OVN_CENTRAL_TIER } from '../model/topology.ts';
import type { Overlay } from '../model/overlay.ts';

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

interface LspRow {
  name: string;
  up: boolean | ['set', unknown[]];
}

/**
 * Poll until every VM's logical port is bound and up on its chassis, then take OVN's barrier
 * (`--wait=hv sync`: every chassis has applied the NB state). Only then may probes run.
 */
export async function waitForOverlay(lab: StartedLab, overlay: Overlay, timeoutMs: number): Promise<{ elapsedMs: number }> {
  const central = centralNode(lab);
  const hostOf = new Map(overlay.vms.map((v) => [v.name, v.host]));
  const r = await waitFor(
    async () => {
      const json = parseJson<{ headings: string[]; data: [string, boolean | ['set', unknown[]]][] }>(
        await central.exec(nbctl('--format=json', '--columns=name,up', 'list', 'Logical_Switch_Port')),
      );
      const rows: LspRow[] = json.data.map(([name, up]) => ({ name, up }));
      const down = overlay.vms.filter((vm) => rows.find((row) => row.name === vm.name)?.up !== true);
      return down.length
        ? { ok: false, reason: down.map((vm) => `${vm.name}: logical port not up (is ovn-controller on ${hostOf.get(vm.name)} connected to the southbound DB, and its port ${vm.hostIface} on br-int?)`).join('\n') }
        : { ok: true, value: true };
    },
    { timeoutMs, intervalsMs: [100, 200, 250], description: `the ${overlay.vms.length} VM ports to be up on their chassis` },
  );
  await run(central, nbctl(`--timeout=${Math.ceil(timeoutMs / 1000)}`, '--wait=hv', 'sync'));
  return { elapsedMs: r.elapsedMs };
}
