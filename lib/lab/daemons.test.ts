import { describe, expect, it } from 'vitest';
import type { NodeHandle } from './started-lab.ts';
import { daemonsNotRunning } from './daemons.ts';

/** A node running `daemons`, of which `stopped` are not running and `unknown` cannot be looked at. */
const node = (name: string, daemons: string[], stopped: string[] = [], unknown: string[] = []) =>
  ({
    name,
    daemons,
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
});
