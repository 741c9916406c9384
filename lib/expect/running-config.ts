// Is every statement of a written FRR configuration in the router's running configuration?
// A check that no line was dropped on the way in, whatever FRR said while reading it. Pure.
//
// A statement is compared with its block (the unindented line that opened it, as FRR prints
// running-config), so ` ip address …` under `interface eth1` must be under `interface eth1`.
// FRR leaves out of running-config what equals its defaults, and shows a few lines its own
// way; those are the only statements not looked for, each named below with the reason.

export interface WrittenStatement {
  /** 1-based line in the written file. */
  line: number;
  /** The block it belongs to (`router bgp 65101`), empty at top level. */
  block: string;
  statement: string;
}

/** Structure, not configuration: the markers FRR and users put between blocks. */
const STRUCTURE = new Set(['!', 'exit', 'end', 'exit-address-family', 'exit-vrf', 'quit', 'Building configuration...', 'Current configuration:']);

/** Values equal to FRR 8.4's defaults, which running-config does not print. */
const HIDDEN_DEFAULTS: { statement: RegExp; when?: RegExp; why: string }[] = [
  { statement: /^detect-multiplier 3$/, why: 'BFD detect multiplier default' },
  { statement: /^(receive|transmit)-interval 300$/, why: 'BFD interval default (300 ms)' },
  { statement: /^echo-interval 50$/, why: 'BFD echo interval default' },
  { statement: /^no bgp ebgp-requires-policy$/, when: /^frr defaults datacenter$/m, why: 'the datacenter profile turns ebgp-requires-policy off' },
  { statement: /^bgp ebgp-requires-policy$/, when: /^frr defaults traditional$/m, why: 'the traditional profile turns ebgp-requires-policy on' },
];

/**
 * Statements vtysh keeps to itself: `hostname` sets vtysh's own name and running-config shows
 * the one vtysh started with (the machine's), not what the daemons use (FRR issue 20398).
 */
const VTYSH_LOCAL = /^hostname\s/;

/** The statements of a configuration text, with their block; comments and structure dropped. */
export function configStatements(text: string): WrittenStatement[] {
  const out: WrittenStatement[] = [];
  let block = '';
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('!') || trimmed.startsWith('#') || STRUCTURE.has(trimmed)) return;
    const indented = /^\s/.test(raw);
    if (!indented) block = trimmed;
    out.push({ line: i + 1, block: indented ? block : '', statement: trimmed });
  });
  return out;
}

/** Every statement of `written` that `running` (vtysh's `show running-config`) does not contain. */
export function statementsNotRunning(written: string, running: string): WrittenStatement[] {
  const have = new Set(configStatements(running).map((s) => `${s.block}\n${s.statement}`));
  const runningVersion = /^frr version (\S+)/m.exec(running)?.[1];
  return configStatements(written).filter((s) => {
    if (have.has(`${s.block}\n${s.statement}`)) return false;
    if (VTYSH_LOCAL.test(s.statement)) return false;
    // `frr version 8.4` is written; the running router says which 8.4 it is.
    const version = /^frr version (\S+)$/.exec(s.statement)?.[1];
    if (version && runningVersion?.startsWith(version)) return false;
    return !HIDDEN_DEFAULTS.some((d) => d.statement.test(s.statement) && (!d.when || d.when.test(written)));
  });
}
