// Which nodes, links and sessions the failed checks blame, read back from their culprit lines
// (`leaf1: session to spine1 (…) over eth1 is Idle, expected Established`, `… on spine1:eth2 <->
// leaf3:eth1 …`), for the topology picture. Only names the topology has count; the reason is
// the line that named it. Pure.
import type { TopologyPictureInput } from './topology-svg.ts';

type Culprits = NonNullable<TopologyPictureInput['culprits']>;

const REASON_CHARS = 200;
const reasonOf = (line: string, test: string) => `${line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS - 1)}…` : line} (${test})`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function culpritsFromFailures(
  failures: ReadonlyArray<{ name: string; errors: readonly string[] }>,
  topology: Pick<TopologyPictureInput, 'nodes' | 'links'>,
): Culprits {
  const names = new Set(topology.nodes.map((n) => n.name));
  const linkKeys = new Map<string, string>();
  for (const l of topology.links) {
    const a = `${l.a.node}:${l.a.iface}`;
    const b = `${l.b.node}:${l.b.iface}`;
    linkKeys.set(`${a}|${b}`, `${a} <-> ${b}`);
    linkKeys.set(`${b}|${a}`, `${a} <-> ${b}`);
  }
  // Longest first, so `leaf10` is not read as `leaf1`.
  const byLength = [...names].sort((x, y) => y.length - x.length);
  const mentioned = (line: string, except: string) => byLength.find((n) => n !== except && new RegExp(`(^|[^\\w.-])${escapeRe(n)}($|[^\\w.-])`).test(line));
  const out: Required<Culprits> = { nodes: {}, links: {}, sessions: {} };
  // A check that failed on its own comes first: a dependent check's "precondition failed"
  // repeats the same culprits, and the reason should name the check that found them.
  const precondition = (f: { errors: readonly string[] }) => f.errors.some((e) => e.startsWith('precondition failed'));
  for (const f of [...failures.filter((x) => !precondition(x)), ...failures.filter(precondition)]) {
    for (const line of f.errors.flatMap((e) => e.split('\n')).map((l) => l.replace(/^[\s\-•✗*>]+/, '').trim())) {
      if (!line) continue;
      let blamedLink = false;
      for (const m of line.matchAll(/(\S+):(\S+)\s+(?:<->|↔)\s+(\S+):([^\s,;)]+)/g)) {
        const key = linkKeys.get(`${m[1]}:${m[2]}|${m[3]}:${m[4]}`);
        if (key) {
          out.links[key] ??= reasonOf(line, f.name);
          blamedLink = true;
        }
      }
      const lead = /^([\w.-]+):\s/.exec(line)?.[1];
      if (lead === undefined || !names.has(lead) || blamedLink) continue;
      const peer = /\bsession\b/i.test(line) ? mentioned(line.slice(lead.length + 1), lead) : undefined;
      if (peer) out.sessions[[lead, peer].sort().join(' ↔ ')] ??= reasonOf(line, f.name);
      else out.nodes[lead] ??= reasonOf(line, f.name);
    }
  }
  return out;
}
