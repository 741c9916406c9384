// A router's north–south objects in OVN's northbound database: its NAT rules and its gateway
// port's chassis with their priorities, read on the OVN central through ovn-nbctl (JSON), for
// the nat suite to compare with what the intent renders (lib/expect/nats.ts). Parsing is pure;
// reading goes through node.exec.
import type { StartedLab } from '../lab/started-lab.ts';
import { column, uuids, type OvsdbTable } from './ovsdb-json.ts';
import { listNbTable, listSbTable } from './nb-tables.ts';
import { optional } from './ovsdb-json.ts';

/** One NAT row with the router that holds it. */
export interface NbNat {
  router?: string;
  type: string;
  externalIp: string;
  logicalIp: string;
}

/** One Gateway_Chassis row with the router port that holds it. */
export interface NbGatewayChassis {
  port?: string;
  chassis: string;
  priority: number;
}

/** Which record of `holders` (name + a column of uuids) holds each uuid. */
function holders(table: OvsdbTable, refs: string, what: string): Map<string, string> {
  const [name, col] = [column(table, 'name', what), column(table, refs, what)];
  const map = new Map<string, string>();
  for (const row of table.data) for (const u of uuids(row[col])) map.set(u, String(row[name]));
  return map;
}

const uuidOf = (cell: unknown) => uuids(cell)[0] ?? String(cell);

/** NAT rows (`--columns=_uuid,type,external_ip,logical_ip list NAT`) with their routers (`name,nat list Logical_Router`). Pure. */
export function parseNbNats(nats: OvsdbTable, routers: OvsdbTable): NbNat[] {
  const c = (name: string) => column(nats, name, 'list NAT');
  const [uuid, type, ext, logical] = [c('_uuid'), c('type'), c('external_ip'), c('logical_ip')];
  const routerOf = holders(routers, 'nat', 'list Logical_Router');
  return nats.data.map((row) => {
    const r = routerOf.get(uuidOf(row[uuid]));
    return { ...(r !== undefined ? { router: r } : {}), type: String(row[type]), externalIp: String(row[ext]), logicalIp: String(row[logical]) };
  });
}

/** Gateway_Chassis rows (`_uuid,chassis_name,priority`) with their router ports (`name,gateway_chassis list Logical_Router_Port`). Pure. */
export function parseNbGatewayChassis(rows: OvsdbTable, ports: OvsdbTable): NbGatewayChassis[] {
  const c = (name: string) => column(rows, name, 'list Gateway_Chassis');
  const [uuid, chassis, priority] = [c('_uuid'), c('chassis_name'), c('priority')];
  const portOf = holders(ports, 'gateway_chassis', 'list Logical_Router_Port');
  return rows.data.map((row) => {
    const p = portOf.get(uuidOf(row[uuid]));
    return { ...(p !== undefined ? { port: p } : {}), chassis: String(row[chassis]), priority: Number(row[priority]) };
  });
}

/** Every NAT rule and gateway chassis of the lab's northbound DB. Throws, naming the command, if one fails. */
export async function readNbNorthSouth(lab: StartedLab): Promise<{ nats: NbNat[]; gatewayChassis: NbGatewayChassis[] }> {
  const [nats, routers, gwc, ports] = await Promise.all([
    listNbTable(lab, 'NAT', '_uuid,type,external_ip,logical_ip'),
    listNbTable(lab, 'Logical_Router', 'name,nat'),
    listNbTable(lab, 'Gateway_Chassis', '_uuid,chassis_name,priority'),
    listNbTable(lab, 'Logical_Router_Port', 'name,gateway_chassis'),
  ]);
  return { nats: parseNbNats(nats, routers), gatewayChassis: parseNbGatewayChassis(gwc, ports) };
}

/** The chassis-redirect port OVN makes for a distributed gateway port: where the gateway is bound. */
export const chassisRedirectPort = (routerPort: string) => `cr-${routerPort}`;

/**
 * Southbound Port_Binding rows of type chassisredirect (`logical_port,chassis,type`) against
 * Chassis (`_uuid,name`): each gateway port's active chassis, or undefined while unbound. Pure.
 */
export function parseGatewayBindings(bindings: OvsdbTable, chassis: OvsdbTable): Map<string, string | undefined> {
  const [port, ch, type] = [column(bindings, 'logical_port', 'list Port_Binding'), column(bindings, 'chassis', 'list Port_Binding'), column(bindings, 'type', 'list Port_Binding')];
  const [uuid, name] = [column(chassis, '_uuid', 'list Chassis'), column(chassis, 'name', 'list Chassis')];
  const nameOf = new Map(chassis.data.map((row) => [uuidOf(row[uuid]), String(row[name])]));
  const out = new Map<string, string | undefined>();
  for (const row of bindings.data) {
    if (row[type] !== 'chassisredirect') continue;
    const bound = optional(row[ch]);
    out.set(String(row[port]), bound === undefined ? undefined : nameOf.get(uuidOf(bound)));
  }
  return out;
}

/** Each gateway port's active chassis, as OVN's southbound DB binds its chassis-redirect port. */
export async function readGatewayBindings(lab: StartedLab): Promise<Map<string, string | undefined>> {
  const [bindings, chassis] = await Promise.all([listSbTable(lab, 'Port_Binding', 'logical_port,chassis,type'), listSbTable(lab, 'Chassis', '_uuid,name')]);
  return parseGatewayBindings(bindings, chassis);
}
