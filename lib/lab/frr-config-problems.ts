// What FRR refused of a node's configuration, read from FRR's own words: vtysh's output while
// it applies the integrated frr.conf, and the "… on config line N" errors a daemon logs while
// reading its own per-daemon file. Pure: text in, located problems out.

/**
 * A statement of a router's configuration that FRR refused or dropped while the lab came up,
 * in FRR's own words: the lab does not run the configuration the user wrote.
 */
export interface FrrConfigProblem {
  node: string;
  /** The user's file (frr.conf, or a per-daemon file such as bgpd.conf). */
  file: string;
  /** 1-based line in that file, when FRR named it or the statement was found in it. */
  line?: number;
  statement: string;
  /** FRR's own message, e.g. "% Unknown command" or "% Specify remote-as or peer-group commands first". */
  message: string;
  /** The daemon that refused it, when one did. */
  daemon?: string;
}

/** vtysh's own errors name the line: `line 32: % Unknown command[4]: frobnicate`. */
const VTYSH_LINE = /^line (\d+): (.*)$/;
/** A line a daemon refused: `line 2: Failure to communicate[13] to bgpd, line:  neighbor …`; the daemon's reason came just before. */
const DAEMON_REFUSED = /^Failure to communicate\[\d+\] to (\S+), line:/;
/** A daemon reading its own file: `… [EC 100663304] No such command on config line 75: ip route …`. */
const DAEMON_LOG = /\b((?:No such command|Ambiguous command|Command returned [^:]*?|Command exceeded [^:]*?) on config line (\d+)): ?(.*)$/;

/**
 * Problems in vtysh's merged stdout+stderr (`vtysh -f frr.conf 2>&1`, order kept) for the file
 * `fileText` it applied. Three shapes, all FRR's wording kept:
 *  - `line N: % Unknown command…` / `% Command incomplete…`: vtysh could not parse the line;
 *  - `line N: Failure to communicate… to DAEMON`: the daemon refused it, its reason printed just before;
 *  - a northbound transaction vtysh sends at the end of the file: `% Configuration failed.`,
 *    `Error description: …`, then the rejected commands as `- CMD` (found back in the file by text).
 * Warnings on lines FRR accepted (e.g. a route-map not defined yet) are not problems.
 */
export function parseVtyshApply(output: string, fileText: string, where: { node: string; file: string }): FrrConfigProblem[] {
  const fileLines = fileText.split('\n');
  const statementAt = (line: number) => fileLines[line - 1]?.trim() ?? '';
  const lineOf = (statement: string) => {
    const i = fileLines.findIndex((l) => l.trim() === statement.trim());
    return i < 0 ? undefined : i + 1;
  };
  const problems: FrrConfigProblem[] = [];
  const seen = new Set<string>();
  const add = (p: Omit<FrrConfigProblem, 'node' | 'file'>) => {
    // A transaction's error is printed once per daemon that took part: report it once.
    const key = `${p.line}|${p.statement}|${p.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ node: where.node, file: where.file, ...p });
  };

  let said: string[] = [];
  let transaction: { description?: string } | undefined;
  for (const raw of output.split('\n')) {
    const text = raw.trimEnd();
    const located = VTYSH_LINE.exec(text);
    if (located) {
      const line = Number(located[1]);
      const refused = DAEMON_REFUSED.exec(located[2]!);
      const reason = said.filter((s) => s.startsWith('%')).join(' ') || said.join(' ');
      add({
        line,
        statement: statementAt(line),
        ...(refused ? { daemon: refused[1]!.replace(/,$/, '') } : {}),
        message: refused ? reason || `${refused[1]} refused it` : located[2]!.replace(/:\s+.*$/, '').replace(/\[\d+\]$/, ''),
      });
      said = [];
      transaction = undefined;
      continue;
    }
    if (text === '% Configuration failed.') {
      transaction = {};
      said = [];
      continue;
    }
    if (transaction) {
      const description = /^Error description: (.*)$/.exec(text);
      if (description) transaction.description = description[1];
      const rejected = /^- (.+)$/.exec(text);
      if (rejected) {
        const line = lineOf(rejected[1]!);
        add({ ...(line ? { line } : {}), statement: rejected[1]!.trim(), message: transaction.description ?? 'rejected in the configuration transaction' });
      }
      continue;
    }
    if (text.trim()) said.push(text.trim());
  }
  return problems;
}

/** "… on config line N" errors in a daemon's log, from reading its own configuration file. */
export function parseDaemonLog(log: string, fileText: string, where: { node: string; file: string; daemon: string }): FrrConfigProblem[] {
  const fileLines = fileText.split('\n');
  const out: FrrConfigProblem[] = [];
  for (const text of log.split('\n')) {
    const m = DAEMON_LOG.exec(text);
    if (!m) continue;
    const line = Number(m[2]);
    out.push({ node: where.node, file: where.file, daemon: where.daemon, line, statement: m[3]?.trim() || fileLines[line - 1]?.trim() || '', message: m[1]!.replace(/ on config line \d+$/, '') });
  }
  return out;
}

/** `leaf1: /path/frr.conf:75: ip route 10.255.2.4/32 blackhole — % Unknown command (staticd)` */
export function formatConfigProblem(p: FrrConfigProblem): string {
  const at = p.line ? `${p.file}:${p.line}` : p.file;
  return `${p.node}: ${at}: ${p.statement ? `"${p.statement}": ` : ''}${p.message}${p.daemon ? ` (${p.daemon})` : ''}`;
}
