// Proof that overlay traffic really crossed the fabric in GENEVE: where each chassis uplink
// arrives (a leaf, a plain kernel router), an nftables set records the outer source and
// destination of every GENEVE packet forwarded while a check runs.
import { randomBytes } from 'node:crypto';
import type { StartedLab } from '../lab/started-lab.ts';
import { planOverlayNodes } from '../plan/chassis.ts';

export const GENEVE_PORT = 6081;

export interface TunnelWatch {
  /** Outer `source>destination` pairs seen, e.g. `10.255.2.1>10.255.2.2`. */
  read(): Promise<Set<string>>;
  remove(): Promise<void>;
}

export async function watchTunnels(lab: StartedLab): Promise<TunnelWatch> {
  const table = `netproof_geneve_${randomBytes(4).toString('hex')}`;
  const peers = [...new Set(planOverlayNodes(lab.topology).chassis.flatMap((c) => c.uplinks.map((u) => u.peer.node)))];
  const installed: string[] = [];
  const nft = async (node: string, argv: string[], input?: string) => {
    const r = await lab.node(node).exec(['nft', ...argv], { input });
    if (r.exitCode !== 0) throw new Error(`${node}: nft ${argv.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const remove = async () => {
    for (const node of installed) await nft(node, ['delete', 'table', 'inet', table]).catch(() => undefined);
  };
  try {
    for (const node of peers) {
      await nft(node, ['-f', '-'], `table inet ${table} {\n  set seen { type ipv4_addr . ipv4_addr; flags dynamic; size 65535; }\n  chain count {\n    type filter hook forward priority -300; policy accept;\n    udp dport ${GENEVE_PORT} update @seen { ip saddr . ip daddr }\n  }\n}\n`);
      installed.push(node);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    remove,
    read: async () => {
      const seen = new Set<string>();
      for (const node of installed) {
        const json = JSON.parse(await nft(node, ['-j', 'list', 'set', 'inet', table, 'seen'])) as { nftables: { set?: { elem?: ({ concat: string[] } | { elem: { val: { concat: string[] } } })[] } }[] };
        for (const e of json.nftables.find((x) => x.set)?.set?.elem ?? []) {
          const pair = 'concat' in e ? e.concat : e.elem.val.concat;
          seen.add(`${pair[0]}>${pair[1]}`);
        }
      }
      return seen;
    },
  };
}
