// Whether a chassis will notice a gateway chassis fail as fast as the intent declares: the BFD
// on its GENEVE tunnel there is configured with the declared timers, up, and running at them
// (a session that has just come up still runs at the 1 s start-up rate until its poll sequence
// settles, and notices a failure three times later). Pure.
import type { TunnelBfd } from '../model/overlay.ts';
import { bfdUp, type BfdSession, type TunnelBfdState } from '../probes/gateway.ts';

export interface TunnelBfdCheck {
  /** The chassis that must notice, and the one it watches. */
  from: string;
  to: string;
  toTep: string;
  /** `from`'s tunnel to `toTep`, if it has one. */
  tunnel?: TunnelBfdState;
  /** The session as ovs-vswitchd runs it; undefined: not read (only the configuration is judged). */
  session?: BfdSession;
  declared: TunnelBfd;
}

/** What keeps `from` from noticing `to` fail within the declared detection time, or undefined. */
export function tunnelBfdProblem(c: TunnelBfdCheck): string | undefined {
  const { from, to, tunnel, declared } = c;
  if (!tunnel) return `${from} has no GENEVE tunnel to ${to} (${c.toTep})`;
  const where = `${from} → ${to} (${tunnel.name})`;
  if (tunnel.config.enable !== 'true') return `${where}: no BFD on the tunnel (bfd ${JSON.stringify(tunnel.config)}): a failure of ${to} would never move the gateway`;
  if (!bfdUp(tunnel)) return `${where}: BFD ${tunnel.status.state ?? 'not running'} (${JSON.stringify(tunnel.status)})`;
  const { config } = tunnel;
  if (config.min_rx !== String(declared.intervalMs) || config.min_tx !== String(declared.intervalMs) || (config.mult ?? '3') !== String(declared.multiplier)) {
    return `${where}: BFD min_rx ${config.min_rx ?? 'default'}, min_tx ${config.min_tx ?? 'default'}, mult ${config.mult ?? 'default'}; tunnel-bfd declares ${declared.multiplier} × ${declared.intervalMs} ms`;
  }
  const s = c.session;
  if (s && (s.rxIntervalMs !== declared.intervalMs || s.remoteMultiplier !== declared.multiplier)) {
    const runs = `${s.remoteMultiplier ?? '?'} × ${s.rxIntervalMs ?? '?'} ms`;
    return `${where}: BFD up but not yet at its configured rate: would notice ${to} fail after ${runs}, tunnel-bfd declares ${declared.multiplier} × ${declared.intervalMs} ms (ovs-appctl bfd/show: state ${s.state ?? '?'}, RX interval ${s.rxIntervalMs ?? '?'} ms)`;
  }
  return undefined;
}
