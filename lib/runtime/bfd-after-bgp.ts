// Why bfdd starts after BGP on each router: FRR 8.4's bgpd registers a peer's BFD session as
// soon as it is configured, without a local address or interface; when the BGP session then
// establishes, bgpd registers it again with the address and interface it learned, and the new
// BFD session starts Down. If the first one was already Up (BFD comes up in a second; BGP
// waits for the whole configuration and its timers), bgpd takes that Up→Down for the peer
// failing and resets the session ("Cease/BFD Down"), then waits out its idle hold: every
// session of the lab flaps once, and the fabric converges seconds later. With bfdd started once
// the sessions are established, bgpd registers each BFD session once, with its final addresses.
// The configuration the lab ends with is the one declared; only the order of start differs.
import { waitFor } from '../wait-for.ts';
import { daemonVtySocket, type DaemonPaths } from '../render/frr-daemons.ts';
import { VtyClient } from './vty-client.ts';

/**
 * The longest a router's bfdd waits for its BGP sessions: a session that does not come up
 * (a fault in the lab, a peer that is not there) must not hold BFD back for long. Past it
 * bfdd starts anyway, and a session that establishes later may flap once, as without the wait.
 */
export const BFD_AFTER_BGP_MAX_MS = 5_000;

/** The daemons a router starts once its BGP sessions are up: bfdd, when bgpd runs beside it. */
export const startedAfterBgp = (daemons: readonly string[]): string[] => (daemons.includes('bgpd') && daemons.includes('bfdd') ? ['bfdd'] : []);

interface NeighborJson {
  bgpState?: string;
  peerBfdInfo?: unknown;
}

/** Peers with BFD configured whose BGP session is not established, from `show bgp neighbors json`. */
export function bfdPeersNotEstablished(neighbors: Record<string, unknown>): string[] {
  return Object.entries(neighbors)
    .filter(([, v]) => typeof v === 'object' && v !== null && (v as NeighborJson).peerBfdInfo !== undefined && (v as NeighborJson).bgpState !== 'Established')
    .map(([peer]) => peer);
}

/**
 * Resolves when every BGP session of the router that runs BFD is established, or after
 * BFD_AFTER_BGP_MAX_MS (never rejects: BFD must start either way). Says which peers it gave up on.
 */
export async function bgpSessionsEstablished(paths: DaemonPaths, maxMs = BFD_AFTER_BGP_MAX_MS, signal?: AbortSignal): Promise<{ waitedMs: number; notEstablished: string[] }> {
  const bgpd = new VtyClient(daemonVtySocket('bgpd', paths));
  const started = performance.now();
  let notEstablished: string[] = [];
  try {
    await waitFor(
      async () => {
        notEstablished = bfdPeersNotEstablished(JSON.parse(await bgpd.show('show bgp neighbors json')) as Record<string, unknown>);
        return notEstablished.length ? { ok: false, reason: `not established: ${notEstablished.join(', ')}` } : { ok: true, value: true };
      },
      { timeoutMs: maxMs, intervalsMs: [50, 100], description: 'BGP sessions to establish before bfdd starts', signal },
    );
  } catch (e) {
    // Torn down meanwhile: stop. Gave up waiting: bfdd starts now.
    if (signal?.aborted) throw e;
  } finally {
    await bgpd.close();
  }
  return { waitedMs: performance.now() - started, notEstablished };
}
