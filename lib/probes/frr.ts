// Read FRR state through vtysh's JSON output. Never screen-scrape, never turn bad JSON into {}.
import { parseJson } from '../exec.ts';
import type { NodeHandle, NodeReader } from '../lab/started-lab.ts';
import { daemonAnswering } from '../render/frr-daemons.ts';

export async function vtyshJson<T = unknown>(node: NodeHandle, command: string): Promise<T> {
  const r = await node.vtysh(command);
  if (r.exitCode !== 0) throw new Error(`${node.name}: vtysh -c '${command}' failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return parseJson<T>(r);
}

/**
 * Several `show … json` commands in one vtysh: it connects to every daemon each time it starts,
 * which is most of its cost, so one start instead of N cuts a whole-lab read several-fold.
 * Results come in the commands' order.
 */
export async function vtyshJsonAll(node: NodeHandle, commands: readonly string[]): Promise<unknown[]> {
  const r = await node.exec(['vtysh', ...commands.flatMap((c) => ['-c', c])]);
  const what = `vtysh ${commands.map((c) => `-c '${c}'`).join(' ')}`;
  if (r.exitCode !== 0) throw new Error(`${node.name}: ${what} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  const docs = jsonDocuments(r.stdout);
  if (docs.length !== commands.length) throw new Error(`${node.name}: ${what} printed ${docs.length} JSON documents, not ${commands.length}:\n${r.stdout.slice(0, 500)}`);
  return docs;
}


/** Like vtyshJsonAll, each command asked of the daemon that answers it over a NodeReader's open connections. */
export async function showJsonAll(node: NodeHandle, reader: NodeReader, commands: readonly string[]): Promise<unknown[]> {
  return Promise.all(
    commands.map(async (c) => {
      const daemon = daemonAnswering(c);
      if (!daemon) throw new Error(`${node.name}: no FRR daemon known to answer '${c}'`);
      const text = await reader.show(daemon, c);
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw new Error(`${node.name}: '${c}' did not print JSON (${(e as Error).message}): ${text.slice(0, 300)}`);
      }
    }),
  );
}

/** The JSON values written one after another in `text` (vtysh prints each command's output in turn, with nothing between). */
export function jsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth < 0) throw new Error(`unbalanced '${c}' at offset ${i} of vtysh output: ${text.slice(0, 200)}`);
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) throw new Error(`not JSON at offset ${i} of vtysh output: ${text.slice(i, i + 200)}`);
  }
  if (depth !== 0 || inString) throw new Error(`vtysh output ends inside a JSON value: …${text.slice(-200)}`);
  return out;
}

export interface BgpPeer {
  state: string;
  remoteAs: number;
  hostname?: string;
  pfxRcd?: number;
  peerUptimeMsec?: number;
  /** Why the session last went down, from `show bgp neighbors json` (only fetched for sessions that are down). */
  lastReset?: string;
}

export interface BgpSummary {
  /** Local ASN. */
  as: number;
  routerId: string;
  peers: Record<string, BgpPeer>;
}

/** IPv4 unicast BGP summary; throws while bgpd has not loaded its configuration yet. */
export async function bgpSummary(node: NodeHandle): Promise<BgpSummary> {
  const json = await vtyshJson<{ ipv4Unicast?: BgpSummary }>(node, 'show bgp summary json');
  if (!json.ipv4Unicast) throw new Error(`${node.name}: bgpd shows no IPv4 unicast BGP instance (not configured yet, or no "router bgp" in its frr.conf)`);
  return json.ipv4Unicast;
}

/** Add the reason each session that is not Established last reset (e.g. "OPEN Message Error/Bad Peer AS"). */
export async function explainDownSessions(node: NodeHandle, summary: BgpSummary): Promise<BgpSummary> {
  if (Object.values(summary.peers).every((p) => p.state === 'Established')) return summary;
  const neighbors = await vtyshJson<Record<string, { lastResetDueTo?: string; lastNotificationReason?: string }>>(node, 'show bgp neighbors json');
  const peers = Object.fromEntries(
    Object.entries(summary.peers).map(([key, peer]) => {
      const n = neighbors[key];
      const reason = [n?.lastResetDueTo, n?.lastNotificationReason].filter(Boolean).join(': ');
      return [key, peer.state !== 'Established' && reason ? { ...peer, lastReset: reason } : peer];
    }),
  );
  return { ...summary, peers };
}

export interface RibNexthop {
  ip?: string;
  interfaceName?: string;
  fib?: boolean;
  active?: boolean;
  blackhole?: boolean;
  unreachable?: boolean;
}

export interface RibEntry {
  prefix: string;
  protocol: string;
  selected?: boolean;
  installed?: boolean;
  nexthops: RibNexthop[];
}

/** zebra's selected route for exactly `prefix`, if any. */
export async function ribRoute(node: NodeHandle, prefix: string): Promise<RibEntry | undefined> {
  const json = await vtyshJson<Record<string, RibEntry[]>>(node, `show ip route ${prefix} json`);
  return json[prefix]?.find((e) => e.selected);
}

/** Next hops zebra installed in the kernel for the route (fib flag set). */
export function fibNexthops(e: RibEntry | undefined): RibNexthop[] {
  return e?.nexthops.filter((n) => n.fib) ?? [];
}
