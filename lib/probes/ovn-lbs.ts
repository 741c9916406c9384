// Load balancers in OVN's databases: the northbound Load_Balancer rows (VIPs, options, health
// checks) to compare with the intent, and the southbound Service_Monitor rows that say which
// backends the health check finds online. Parsing is pure; reading goes through node.exec.
import type { StartedLab } from '../lab/started-lab.ts';
import { column, optional, uuids, type OvsdbTable } from './ovsdb-json.ts';
import { listNbTable, listSbTable } from './nb-tables.ts';

export interface NbLoadBalancer {
  name: string;
  /** VIP key (`172.24.4.50:80`) → backends as written (`10.20.1.11:80,10.20.1.13:80`). */
  vips: Record<string, string>;
  protocol?: string;
  options: Record<string, string>;
  /** Health checks: their vip and options. */
  healthChecks: { vip: string; options: Record<string, string> }[];
}

export interface ServiceMonitor {
  ip: string;
  port: number;
  logicalPort: string;
  status?: string;
}

/** An OVSDB map cell: `["map", [[k, v], …]]`. */
export function ovsdbMap(cell: unknown): Record<string, string> {
  if (!Array.isArray(cell) || cell[0] !== 'map' || !Array.isArray(cell[1])) return {};
  return Object.fromEntries((cell[1] as [unknown, unknown][]).map(([k, v]) => [String(k), String(v)]));
}

/** Load_Balancer rows (`name,vips,protocol,options,health_check`) with their Load_Balancer_Health_Check rows (`_uuid,vip,options`). Pure. */
export function parseNbLoadBalancers(lbs: OvsdbTable, checks: OvsdbTable): NbLoadBalancer[] {
  const c = (name: string) => column(lbs, name, 'list Load_Balancer');
  const [name, vips, protocol, options, hc] = [c('name'), c('vips'), c('protocol'), c('options'), c('health_check')];
  const h = (n: string) => column(checks, n, 'list Load_Balancer_Health_Check');
  const [hUuid, hVip, hOptions] = [h('_uuid'), h('vip'), h('options')];
  const byUuid = new Map(checks.data.map((row) => [uuids(row[hUuid])[0] ?? String(row[hUuid]), { vip: String(row[hVip]), options: ovsdbMap(row[hOptions]) }]));
  return lbs.data.map((row) => {
    const proto = optional(row[protocol]);
    return {
      name: String(row[name]),
      vips: ovsdbMap(row[vips]),
      ...(proto !== undefined ? { protocol: String(proto) } : {}),
      options: ovsdbMap(row[options]),
      healthChecks: uuids(row[hc]).flatMap((u) => (byUuid.has(u) ? [byUuid.get(u)!] : [])),
    };
  });
}

/** Service_Monitor rows (`ip,port,logical_port,status`). Pure. */
export function parseServiceMonitors(table: OvsdbTable): ServiceMonitor[] {
  const c = (name: string) => column(table, name, 'list Service_Monitor');
  const [ip, port, lp, status] = [c('ip'), c('port'), c('logical_port'), c('status')];
  return table.data.map((row) => {
    const s = optional(row[status]);
    return { ip: String(row[ip]), port: Number(row[port]), logicalPort: String(row[lp]), ...(s !== undefined ? { status: String(s) } : {}) };
  });
}

export async function readNbLoadBalancers(lab: StartedLab): Promise<NbLoadBalancer[]> {
  const [lbs, checks] = await Promise.all([listNbTable(lab, 'Load_Balancer', 'name,vips,protocol,options,health_check'), listNbTable(lab, 'Load_Balancer_Health_Check', '_uuid,vip,options')]);
  return parseNbLoadBalancers(lbs, checks);
}

export async function readServiceMonitors(lab: StartedLab): Promise<ServiceMonitor[]> {
  return parseServiceMonitors(await listSbTable(lab, 'Service_Monitor', 'ip,port,logical_port,status'));
}
