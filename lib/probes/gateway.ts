// A gateway chassis and its HA peers as OVN runs them: the BFD session on each GENEVE tunnel
// (ovs-vsctl, on the chassis), and which chassis holds a gateway port (southbound Port_Binding
// of its chassis-redirect port). Polled during a gateway failover to time detection and the
// standby's claim. Parsing is pure; reading goes through node.exec.
import type { StartedLab } from '../lab/started-lab.ts';
import { parseJson } from '../exec.ts';
import { column, type OvsdbTable } from './ovsdb-json.ts';
import { ovsdbMap } from './ovn-lbs.ts';
import { readGatewayBindings } from './ovn-nats.ts';

/** One GENEVE tunnel of a chassis, with its BFD configuration and state. */
export interface TunnelBfdState {
  name: string;
  remoteIp: string;
  /** The `bfd` column: enable, min_rx, min_tx, mult… (empty: BFD not configured). */
  config: Record<string, string>;
  /** The `bfd_status` column: state, forwarding, remote_state… (empty: no session). */
  status: Record<string, string>;
}

/** `ovs-vsctl --format=json --columns=name,options,bfd,bfd_status find Interface type=geneve`. Pure. */
export function parseTunnels(table: OvsdbTable): TunnelBfdState[] {
  const c = (n: string) => column(table, n, 'find Interface type=geneve');
  const [name, options, bfd, status] = [c('name'), c('options'), c('bfd'), c('bfd_status')];
  return table.data.map((row) => ({
    name: String(row[name]),
    remoteIp: (ovsdbMap(row[options]).remote_ip ?? '').replace(/^"|"$/g, ''),
    config: ovsdbMap(row[bfd]),
    status: ovsdbMap(row[status]),
  }));
}

/** Every GENEVE tunnel of `chassis`, with its BFD. Throws, naming the command, if it fails. */
export async function readTunnels(lab: StartedLab, chassis: string): Promise<TunnelBfdState[]> {
  const r = await lab.node(chassis).exec(['ovs-vsctl', '--format=json', '--columns=name,options,bfd,bfd_status', 'find', 'Interface', 'type=geneve'], { timeoutMs: 10_000 });
  return parseTunnels(parseJson<OvsdbTable>(r));
}

/**
 * A tunnel's BFD session as ovs-vswitchd runs it, from `ovs-appctl bfd/show IFACE`: the
 * negotiated intervals, which no database column holds. Right after a session comes up it still
 * runs at the 1 s start-up rate until its poll sequence settles the configured one, and a
 * failure of the far end meanwhile takes three times as long to notice.
 */
export interface BfdSession {
  state?: string;
  /** The interval this end expects the far end's packets at: the far end is declared down after remoteMultiplier of them are missed. */
  rxIntervalMs?: number;
  txIntervalMs?: number;
  remoteMultiplier?: number;
}

/** `ovs-appctl bfd/show IFACE` (text only: ovs-appctl has no JSON for it). Pure. */
export function parseBfdShow(text: string): BfdSession {
  const field = (label: string) => new RegExp(`^\\s*${label}:\\s*(.+?)\\s*$`, 'm').exec(text)?.[1];
  const ms = (label: string) => {
    const m = /(\d+)ms/.exec(field(label) ?? '');
    return m ? Number(m[1]) : undefined;
  };
  const mult = Number(field('Remote Detect Multiplier'));
  return {
    state: field('Local Session State'),
    rxIntervalMs: ms('RX Interval'),
    txIntervalMs: ms('TX Interval'),
    remoteMultiplier: Number.isInteger(mult) && mult > 0 ? mult : undefined,
  };
}

/** One tunnel's BFD session on `chassis`. Throws, naming the command, if ovs-vswitchd does not answer. */
export async function readBfdSession(lab: StartedLab, chassis: string, tunnel: string): Promise<BfdSession> {
  const r = await lab.node(chassis).appctl('ovs-vswitchd', ['bfd/show', tunnel]);
  if (r.exitCode !== 0) throw new Error(`${chassis}: ${r.argv.join(' ')} exited ${r.exitCode}: ${r.stderr.trim()}`);
  return parseBfdShow(r.stdout);
}

/** Whether a tunnel's BFD session says the far end is up (OVS: state up and forwarding). */
export const bfdUp = (t: TunnelBfdState) => t.status.state === 'up' && t.status.forwarding === 'true';

export interface GatewayFailoverWatch {
  /** When the standby's BFD on its tunnel to the failed chassis first left `up` (process.hrtime ns), if it did. */
  detectedAtNs?: bigint;
  /** When the southbound DB first bound the gateway port to the standby, if it did. */
  claimedAtNs?: bigint;
  /** What the last polls saw, for a message. */
  lastBfd?: string;
  lastBinding?: string;
}

/**
 * Poll, from `fromNs` until both moments are seen or `untilMs` passes, the standby's BFD on its
 * tunnel to the failed chassis' TEP and the chassis bound to the gateway's chassis-redirect port.
 * Each poll is one command; they run back to back, a few tens of ms apart.
 */
export async function watchGatewayFailover(lab: StartedLab, o: { standby: string; failedTep: string; redirectPort: string; untilMs: number }): Promise<GatewayFailoverWatch> {
  const watch: GatewayFailoverWatch = {};
  const deadline = Date.now() + o.untilMs;
  const pollBfd = async () => {
    while (watch.detectedAtNs === undefined && Date.now() < deadline) {
      const tunnel = (await readTunnels(lab, o.standby).catch(() => [])).find((t) => t.remoteIp === o.failedTep);
      const at = process.hrtime.bigint();
      watch.lastBfd = tunnel ? `${tunnel.name}: ${JSON.stringify(tunnel.status)}` : `no tunnel to ${o.failedTep}`;
      if (tunnel && !bfdUp(tunnel)) watch.detectedAtNs = at;
    }
  };
  const pollClaim = async () => {
    while (watch.claimedAtNs === undefined && Date.now() < deadline) {
      const bound = (await readGatewayBindings(lab).catch(() => new Map<string, string | undefined>())).get(o.redirectPort);
      const at = process.hrtime.bigint();
      watch.lastBinding = bound ?? 'no chassis';
      if (bound === o.standby) watch.claimedAtNs = at;
    }
  };
  await Promise.all([pollBfd(), pollClaim()]);
  return watch;
}
