// Faults on a running lab, each undone when its scope ends (`await using f = await …`), by
// restore(), or at the latest when the lab is torn down. Everything goes through node.exec,
// so the same faults work on every runtime.
//   linkDown    carrier loss: one end administratively down, the peer loses carrier
//   greyFailure nftables drop in both directions on both ends; carrier stays up
//   packetLoss  nftables random drop of a share of packets, both directions
//   setLinkMtu  both ends' MTU changed
//   stopDaemon  a daemon killed by its pidfile's pid: FRR's, or OVS/OVN's (ovs-vswitchd,
//               ovn-controller, northd, the databases); started again as bring-up did on restore
//   isolate     every link of a node grey-failed
//   tunnelDrop  a chassis' GENEVE (udp/6081) dropped on every uplink, both ways; carrier and
//               BGP stay up: only BFD inside the tunnels notices (an overlay grey failure)
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import { endpointLabel, linkLabel, type Endpoint, type LabLink } from '../model/topology.ts';

export interface Fault extends AsyncDisposable {
  readonly description: string;
  /** process.hrtime.bigint() when the fault took effect (same clock as the probe senders'). */
  readonly appliedAtNs: bigint;
  restore(): Promise<void>;
}

async function run(node: NodeHandle, argv: string[], input?: string): Promise<void> {
  const r = await node.exec(argv, { input });
  if (r.exitCode !== 0) throw new Error(`${node.name}: ${argv.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
}

function makeFault(description: string, undo: () => Promise<void>, appliedAtNs = process.hrtime.bigint()): Fault {
  let restored: Promise<void> | undefined;
  const restore = () => (restored ??= undo());
  return { description, appliedAtNs, restore, [Symbol.asyncDispose]: restore };
}

/**
 * Several faults as one: it took effect when the first did, and restoring it restores each in
 * the order given (a daemon that others depend on first).
 */
export function combineFaults(description: string, faults: readonly Fault[]): Fault {
  if (!faults.length) throw new Error(`combineFaults: no faults for "${description}"`);
  const appliedAtNs = faults.reduce((first, f) => (f.appliedAtNs < first ? f.appliedAtNs : first), faults[0]!.appliedAtNs);
  return makeFault(
    description,
    async () => {
      for (const each of faults) await each.restore();
    },
    appliedAtNs,
  );
}

/** The link an endpoint ("leaf1:eth1") or a pair of nodes belongs to, with its two ends. */
export function findLink(lab: StartedLab, endpoint: string): LabLink {
  const [node, iface] = endpoint.split(':');
  const link = lab.topology.links.find((l) => l.endpoints.some((e) => e.node === node && e.iface === iface));
  if (!link) throw new UsageError(`no link at ${endpoint} in lab ${lab.name} (links: ${lab.topology.links.map(linkLabel).join(', ')})`);
  return link;
}

export async function linkDown(lab: StartedLab, endpoint: string): Promise<Fault> {
  const link = findLink(lab, endpoint);
  const end = link.endpoints.find((e) => endpointLabel(e) === endpoint)!;
  const node = lab.node(end.node);
  await run(node, ['ip', 'link', 'set', 'dev', end.iface, 'down']);
  return makeFault(`carrier loss on ${linkLabel(link)} (${endpoint} down)`, () => run(node, ['ip', 'link', 'set', 'dev', end.iface, 'up']));
}

/**
 * A fault set up ahead of the moment it takes effect, so that moment is one quick command: a
 * failover measurement brackets that command, and its length is the stated uncertainty.
 */
export interface ArmedFault {
  fire(): Promise<Fault>;
  /** Remove what arming set up, if the fault was never fired (once fired, the fault's restore does). */
  disarm(): Promise<void>;
}

/** A fault with nothing to set up ahead: firing it is the whole fault. */
export const unarmed = (inject: () => Promise<Fault>): ArmedFault => ({ fire: inject, disarm: async () => {} });

/**
 * nftables netdev tables at both ends of the link whose chains (ingress and egress) are hooked
 * now, empty: hooking a device is the slow part (hundreds of ms on a loaded machine). Firing
 * adds `rule` to every chain, in one transaction per end.
 */
async function armNftOnBothEnds(lab: StartedLab, link: LabLink, description: string, rule: string): Promise<ArmedFault> {
  const table = `netproof_fault_${randomBytes(4).toString('hex')}`;
  const ends = link.endpoints;
  const ruleset = (e: Endpoint) =>
    `table netdev ${table} {\n` +
    `  chain in { type filter hook ingress device "${e.iface}" priority -500; policy accept; }\n` +
    // Egress too: a veth whose other end OVS owns is read before that end's ingress hook.
    `  chain out { type filter hook egress device "${e.iface}" priority -500; policy accept; }\n}\n`;
  const removeFrom = (which: readonly Endpoint[]) => Promise.all(which.map((e) => run(lab.node(e.node), ['nft', 'delete', 'table', 'netdev', table]).catch(() => undefined)));
  const armed = await Promise.allSettled(ends.map((e) => run(lab.node(e.node), ['nft', '-f', '-'], ruleset(e))));
  const failed = armed.find((r) => r.status === 'rejected');
  if (failed) {
    await removeFrom(ends.filter((_, i) => armed[i]!.status === 'fulfilled'));
    throw failed.reason;
  }
  return {
    fire: async () => {
      // Both ends at once: the fault takes effect with the first, and its uncertainty (the time
      // the command takes) is not doubled.
      const fired = await Promise.allSettled(ends.map((e) => run(lab.node(e.node), ['nft', '-f', '-'], `add rule netdev ${table} in ${rule}\nadd rule netdev ${table} out ${rule}\n`)));
      const failure = fired.find((r) => r.status === 'rejected');
      if (failure) {
        await removeFrom(ends);
        throw failure.reason;
      }
      return makeFault(description, async () => {
        await Promise.all(ends.map((e) => run(lab.node(e.node), ['nft', 'delete', 'table', 'netdev', table])));
      });
    },
    disarm: async () => void (await removeFrom(ends)),
  };
}

/** Grey failure, armed: both ends' chains hooked, the drop not in yet. */
export function armGreyFailure(lab: StartedLab, endpoint: string): Promise<ArmedFault> {
  const link = findLink(lab, endpoint);
  return armNftOnBothEnds(lab, link, `grey failure on ${linkLabel(link)} (everything dropped both ways, carrier up)`, 'drop');
}

export async function greyFailure(lab: StartedLab, endpoint: string): Promise<Fault> {
  return (await armGreyFailure(lab, endpoint)).fire();
}

export async function packetLoss(lab: StartedLab, endpoint: string, percent: number): Promise<Fault> {
  if (!Number.isInteger(percent) || percent < 1 || percent > 100) throw new Error(`loss must be a whole percentage from 1 to 100 (got ${percent})`);
  const link = findLink(lab, endpoint);
  return (await armNftOnBothEnds(lab, link, `${percent}% random loss on ${linkLabel(link)}`, `numgen random mod 100 < ${percent} drop`)).fire();
}

export async function setLinkMtu(lab: StartedLab, endpoint: string, mtu: number): Promise<Fault> {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`MTU must be from 68 to 65535 (got ${mtu})`);
  const link = findLink(lab, endpoint);
  const before = await Promise.all(
    link.endpoints.map(async (e) => {
      const r = await lab.node(e.node).exec(['ip', '-j', 'link', 'show', 'dev', e.iface]);
      return (JSON.parse(r.stdout) as { mtu: number }[])[0]!.mtu;
    }),
  );
  for (const e of link.endpoints) await run(lab.node(e.node), ['ip', 'link', 'set', 'dev', e.iface, 'mtu', String(mtu)]);
  return makeFault(`MTU ${mtu} on ${linkLabel(link)}`, async () => {
    for (const [i, e] of link.endpoints.entries()) await run(lab.node(e.node), ['ip', 'link', 'set', 'dev', e.iface, 'mtu', String(before[i])]);
  });
}

export async function stopDaemon(lab: StartedLab, nodeName: string, daemon: string): Promise<Fault> {
  const node = lab.node(nodeName);
  if (!node.daemons.includes(daemon)) throw new UsageError(`${nodeName} runs no ${daemon} (daemons: ${node.daemons.join(', ') || 'none'})`);
  await node.stopDaemon(daemon);
  return makeFault(`${daemon} killed on ${nodeName}`, () => node.startDaemon(daemon));
}

export async function isolate(lab: StartedLab, nodeName: string): Promise<Fault> {
  const ends = lab.topology.links.flatMap((l) => l.endpoints.filter((e) => e.node === nodeName));
  if (!ends.length) throw new Error(`${nodeName} has no links in lab ${lab.name}`);
  const faults: Fault[] = [];
  try {
    for (const e of ends) faults.push(await greyFailure(lab, endpointLabel(e)));
  } catch (err) {
    for (const f of faults) await f.restore();
    throw err;
  }
  return combineFaults(`${nodeName} isolated (all ${ends.length} links grey-failed)`, faults);
}

/** GENEVE's UDP destination port: every tunnel packet, both ways, carries it. */
export const GENEVE_PORT = 6081;

/**
 * A chassis' tunnels dropped on every one of its uplinks (`ends`: the chassis side of each),
 * both ways, armed: the netdev chains hooked at both ends of each link now, the drops added on
 * fire. The underlay keeps working (BGP, BFD between routers): only the tunnel BFD OVN runs
 * between chassis sees it.
 */
export async function armTunnelDrop(lab: StartedLab, chassis: string, ends: readonly string[]): Promise<ArmedFault> {
  const description = `${chassis}'s GENEVE tunnels dropped on ${ends.join(', ')} (udp/${GENEVE_PORT} both ways, carrier and BGP up)`;
  const armed: ArmedFault[] = [];
  try {
    for (const e of ends) armed.push(await armNftOnBothEnds(lab, findLink(lab, e), description, `udp dport ${GENEVE_PORT} drop`));
  } catch (err) {
    await Promise.all(armed.map((a) => a.disarm()));
    throw err;
  }
  return {
    fire: async () => {
      const fired = await Promise.allSettled(armed.map((a) => a.fire()));
      const faults = fired.flatMap((f) => (f.status === 'fulfilled' ? [f.value] : []));
      const failure = fired.find((f) => f.status === 'rejected');
      if (failure) {
        await Promise.all([...faults.map((f) => f.restore()), ...armed.map((a) => a.disarm())]);
        throw failure.reason;
      }
      return combineFaults(description, faults);
    },
    disarm: async () => void (await Promise.all(armed.map((a) => a.disarm()))),
  };
}
