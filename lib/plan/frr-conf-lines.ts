// The lines of an integrated frr.conf with the top-level block each belongs to (`interface X`,
// `router …`), so each protocol's parser says only what it reads inside them. A block ends at
// the next top-level line that is not a comment or blank; `exit` lines end it the same way. Pure.

export type FrrConfBlock = { kind: 'interface'; name: string } | { kind: 'router'; header: string };

export interface FrrConfLine {
  /** The line, trimmed. */
  line: string;
  /** The block it is in; undefined at top level outside any block. */
  block?: FrrConfBlock;
  /** The line is the block's own first line (`interface eth1`, `router ospf`). */
  opens: boolean;
}

export function* frrConfLines(frrConf: string): Generator<FrrConfLine> {
  let block: FrrConfBlock | undefined;
  for (const raw of frrConf.split('\n')) {
    const line = raw.trim();
    const top = !/^\s/.test(raw);
    if (top && line !== '' && !line.startsWith('!')) {
      const iface = /^interface (\S+)( vrf \S+)?$/.exec(line);
      block = iface ? { kind: 'interface', name: iface[1]! } : line.startsWith('router ') ? { kind: 'router', header: line } : undefined;
      if (block) {
        yield { line, block, opens: true };
        continue;
      }
    }
    yield { line, ...(block ? { block } : {}), opens: false };
  }
}
