// A known crash in the userspace datapath's conntrack, and the setting that keeps a lab clear of it.
//
// Before OVS commit 6753b108 ("conntrack: Remove nat_conn introducing key directionality"),
// every NAT'd connection had a second, reverse entry that never expires by itself. When the
// connection expired but had not yet been swept (the sweeper runs every 20 s), a packet of it
// could find that reverse entry twice and ovs-vswitchd aborted:
//   conntrack.c:1063: assertion conn->conn_type == CT_CONN_TYPE_DEFAULT failed in conn_update_state()
// OVN commits every stateful connection with an all-zero SNAT (`ct(commit,nat(src))`) when the
// datapath reports `ct_zero_snat`, so in a lab with security groups every connection through a
// VM's port carried such an entry, in the same hash chain as the connection itself: a late
// retransmission or a reused source port killed the chassis' datapath (CI met it in the ACL
// suite and in the load-balancer changes run on one lab). With ct_zero_snat reported off, OVN
// commits without NAT and only real NAT (load balancers, SNAT, floating IPs) makes them.
// Pure: bring-up runs these argv.

/** The first release of each OVS branch with the fix (6753b108 and its backports). */
const FIXED_IN: ReadonlyArray<readonly [major: number, minor: number, patch: number]> = [
  [2, 17, 8],
  [3, 0, 5],
  [3, 1, 3],
  [3, 2, 3],
  [3, 3, 0],
];

/** The version `ovs-vswitchd --version` prints ("ovs-vswitchd (Open vSwitch) 3.1.0"). */
export function parseOvsVersion(text: string): string | undefined {
  return /\(Open vSwitch\) (\d+\.\d+\.\d+)/.exec(text)?.[1];
}

/** Whether this OVS release has the reverse-entry assertion (branches older than 2.17 included). */
export function hasUnNatAssertion(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const branch = FIXED_IN.find(([M, m]) => M === major && m === minor);
  if (branch) return patch < branch[2];
  const newest = FIXED_IN[FIXED_IN.length - 1]!;
  return major < newest[0] || (major === newest[0] && minor < newest[1]);
}

/** Lists the Datapath rows (uuids, one per line), which ctZeroSnatOffArgvs writes. */
export const DATAPATH_ROWS_ARGV: readonly string[] = ['ovs-vsctl', '--bare', '--columns=_uuid', 'list', 'Datapath'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The uuids DATAPATH_ROWS_ARGV printed. */
export function parseDatapathRows(text: string): string[] {
  return text.split(/\s+/).filter((word) => UUID.test(word));
}

/**
 * Report ct_zero_snat off: to the running datapath (ovs-appctl), then in the database, which
 * ovn-controller reads the feature from. ovs-vswitchd copies its capabilities into a Datapath
 * row only when it first meets the row (bridge.c, datapath_reconfigure): at bring-up that is
 * when ovn-controller creates it, after the appctl, so the copy says false; after a restart
 * the row exists already and the new process has written true into it, so the rows are
 * written here. The marker says in the database why. ovn-controller recomputes its flows
 * when the capability changes.
 */
export function ctZeroSnatOffArgvs(ctl: string, datapathRows: readonly string[]): string[][] {
  const rows = datapathRows.flatMap((uuid) => ['--', 'set', 'Datapath', uuid, 'capabilities:ct_zero_snat=false']);
  return [
    ['ovs-appctl', '-t', ctl, 'dpif/set-dp-features', 'br-int', 'ct_zero_snat', 'false'],
    ['ovs-vsctl', '--timeout=30', 'set', 'open_vswitch', '.', 'external_ids:netproof-ct-zero-snat=off-ovs-6753b108', ...rows],
  ];
}

/** What a report says about it. */
export function ctZeroSnatNote(version: string, chassis: readonly string[]): string {
  return `OVS ${version} on ${chassis.join(', ')}: ct_zero_snat reported off, so OVN commits connections without an all-zero SNAT; this OVS release aborts in its userspace conntrack on such entries (fixed by OVS commit 6753b108, in 2.17.8, 3.0.5, 3.1.3, 3.2.3 and 3.3)`;
}
