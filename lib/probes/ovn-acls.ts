// The ACLs in OVN's northbound database, each with the port group or logical switch that holds
// it: read on the OVN central through ovn-nbctl (JSON), for the ACL suite to compare with what
// the security groups render (lib/expect/acls.ts). Parsing is pure; reading goes through node.exec.
import type { StartedLab } from '../lab/started-lab.ts';
import { column, uuids, type OvsdbTable } from './ovsdb-json.ts';
import { listNbTable } from './nb-tables.ts';

/** One row of the NB ACL table, as `ovn-nbctl list ACL` shows it. */
export interface NbAcl {
  uuid: string;
  /** The port group that holds it (`acls` column), if any. */
  portGroup?: string;
  /** The logical switch that holds it, if any (netproof puts none there). */
  logicalSwitch?: string;
  direction: string;
  priority: number;
  match: string;
  action: string;
}

/** Which record of `holders` (Port_Group or Logical_Switch: name, acls) holds each ACL uuid. */
function holderOf(holders: OvsdbTable, what: string): Map<string, string> {
  const [name, acls] = [column(holders, 'name', what), column(holders, 'acls', what)];
  const map = new Map<string, string>();
  for (const row of holders.data) for (const u of uuids(row[acls])) map.set(u, String(row[name]));
  return map;
}

/** The ACL rows (`--columns=_uuid,action,direction,match,priority list ACL`) with their holders. Pure. */
export function parseNbAcls(acls: OvsdbTable, portGroups: OvsdbTable, switches: OvsdbTable): NbAcl[] {
  const c = (name: string) => column(acls, name, 'list ACL');
  const [uuid, action, direction, match, priority] = [c('_uuid'), c('action'), c('direction'), c('match'), c('priority')];
  const pgOf = holderOf(portGroups, 'list Port_Group');
  const lsOf = holderOf(switches, 'list Logical_Switch');
  return acls.data.map((row) => {
    const u = uuids(row[uuid])[0] ?? String(row[uuid]);
    return {
      uuid: u,
      ...(pgOf.has(u) ? { portGroup: pgOf.get(u)! } : {}),
      ...(lsOf.has(u) ? { logicalSwitch: lsOf.get(u)! } : {}),
      direction: String(row[direction]),
      priority: Number(row[priority]),
      match: String(row[match]),
      action: String(row[action]),
    };
  });
}

/** Every ACL of the lab's northbound DB, read on its OVN central. Throws, naming the command, if one fails. */
export async function readNbAcls(lab: StartedLab): Promise<NbAcl[]> {
  const list = (table: string, columns: string) => listNbTable(lab, table, columns);

  const [acls, portGroups, switches] = await Promise.all([list('ACL', '_uuid,action,direction,match,priority'), list('Port_Group', 'name,acls'), list('Logical_Switch', 'name,acls')]);
  return parseNbAcls(acls, portGroups, switches);
}
