import { describe, expect, it } from 'vitest';
import type { NodeHandle } from './started-lab.ts';
import { daemonsNotRunning } from './daemons.ts';

/** A node running `daemons`, of which `stopped` are not running and `unknown` cannot be looked at; `logs` by daemon. */
const node = (name: string, daemons: string[], stopped: string[] = [], unknown: string[] = [], logs: Record<string, string> = {}) =>
  ({
    name,
    daemons,
    daemonLog: async (d: string) => logs[d] ?? '',
    daemonRunning: async (d: string) => {
      if (unknown.includes(d)) throw new Error('docker exec timed out');
      return !stopped.includes(d);
    },
  }) as unknown as NodeHandle;

describe('daemonsNotRunning', () => {
  it('names each stopped daemon with its node, in the nodes’ and daemons’ order', async () => {
    const host1 = node('host1', ['zebra', 'bgpd', 'ovsdb-server', 'ovs-vswitchd', 'ovn-controller'], ['ovn-controller', 'bgpd']);
    const central = node('central', ['ovsdb-server-nb', 'ovsdb-server-sb', 'ovn-northd'], ['ovn-northd']);
    expect(await daemonsNotRunning([host1, node('host2', ['ovn-controller']), central])).toEqual(['host1: bgpd is not running', 'host1: ovn-controller is not running', 'central: ovn-northd is not running']);
  });

  it('is empty when everything runs, or nothing runs there', async () => {
    expect(await daemonsNotRunning([node('host1', ['zebra', 'ovn-controller']), node('vm1', [])])).toEqual([]);
  });

  it('looks at a node named twice once, and blames nothing it could not look at', async () => {
    const host1 = node('host1', ['ovs-vswitchd', 'ovn-controller'], ['ovs-vswitchd'], ['ovn-controller']);
    expect(await daemonsNotRunning([host1, host1])).toEqual(['host1: ovs-vswitchd is not running']);
  });

  it('with why, ends a line with the dying words at the end of the daemon’s log, and never with an error logged long before', async () => {
    const filler = Array.from({ length: 20 }, (_, i) => `2026-12-02T01:00:${String(10 + i).padStart(2, '0')}Z|000${i}|main|INFO|nothing wrong`);
    const crashed = ['2026-12-02T01:00:03Z|00029|physical|ERR|No tunnel endpoint found', ...filler, '2026-12-02T01:01:00Z|00100|util|EMER|lib/conntrack.c:1063: assertion conn->conn_type == CT_CONN_TYPE_DEFAULT failed in conn_update_state()', ''].join('\n');
    const killed = ['2026-12-02T01:00:03Z|00029|physical|ERR|No tunnel endpoint found', ...filler, ''].join('\n');
    const host1 = node('host1', ['ovs-vswitchd', 'ovn-controller'], ['ovs-vswitchd', 'ovn-controller'], [], { 'ovs-vswitchd': crashed, 'ovn-controller': killed });
    expect(await daemonsNotRunning([host1], { why: true })).toEqual([
      'host1: ovs-vswitchd is not running (its log ends: 2026-12-02T01:01:00Z|00100|util|EMER|lib/conntrack.c:1063: assertion conn->conn_type == CT_CONN_TYPE_DEFAULT failed in conn_update_state())',
      'host1: ovn-controller is not running',
    ]);
  });
});
