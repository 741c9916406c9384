// The logical switch ports in OVN's northbound database, each with the switch that holds it:
// read on the OVN central through ovn-nbctl (JSON), to compare with the VM ports the overlay
// declares (lib/expect/ovn-ports.ts). Parsing is pure; reading goes through node.exec.
import type { StartedLab } from '../lab/started-lab.ts';
import { column, optional, strings, uuids, type OvsdbTable } from './ovsdb-json.ts';
import { listNbTable } from './nb-tables.ts';

/** One row of the NB Logical_Switch_Port table, as `ovn-nbctl list Logical_Switch_Port` shows it. */
export interface NbSwitchPort {
  name: string;
  /** The logical switch that holds it (its `ports` column), if any. */
  logicalSwitch?: string;
  /** e.g. `["02:00:0a:14:01:0b 10.20.1.11"]`, `["router"]`. */
  addresses: string[];
  portSecurity: string[];
  /** Unset means enabled. */
  enabled?: boolean;
}

/** The port rows (`--columns=_uuid,name,addresses,port_security,enabled list Logical_Switch_Port`) with their switches (`--columns=name,ports list Logical_Switch`). Pure. */
export function parseNbSwitchPorts(ports: OvsdbTable, switches: OvsdbTable): NbSwitchPort[] {
  const c = (name: string) => column(ports, name, 'list Logical_Switch_Port');
  const [uuid, name, addresses, portSecurity, enabled] = [c('_uuid'), c('name'), c('addresses'), c('port_security'), c('enabled')];
  const [swName, swPorts] = [column(switches, 'name', 'list Logical_Switch'), column(switches, 'ports', 'list Logical_Switch')];
  const switchOf = new Map<string, string>();
  for (const row of switches.data) for (const u of uuids(row[swPorts])) switchOf.set(u, String(row[swName]));
  return ports.data.map((row) => {
    const u = uuids(row[uuid])[0] ?? String(row[uuid]);
    const on = optional(row[enabled]);
    return {
      name: String(row[name]),
      ...(switchOf.has(u) ? { logicalSwitch: switchOf.get(u)! } : {}),
      addresses: strings(row[addresses]),
      portSecurity: strings(row[portSecurity]),
      ...(typeof on === 'boolean' ? { enabled: on } : {}),
    };
  });
}

/** Every logical switch port of the lab's northbound DB, read on its OVN central. Throws, naming the command, if one fails. */
export async function readNbSwitchPorts(lab: StartedLab): Promise<NbSwitchPort[]> {
  const list = (table: string, columns: string) => listNbTable(lab, table, columns);

  const [ports, switches] = await Promise.all([list('Logical_Switch_Port', '_uuid,name,addresses,port_security,enabled'), list('Logical_Switch', 'name,ports')]);
  return parseNbSwitchPorts(ports, switches);
}
