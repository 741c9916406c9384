// Waiting for the overlay through a stand-in lab whose central answers as OVN does: when it
// never gets ready, the error names the node at fault (a daemon not running, a chassis behind
// OVN's state), not only the central that was asked.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ExecResult } from '../exec.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import type { Overlay, VmPort } from '../model/overlay.ts';
import { planClos } from '../plan/clos.ts';
import { renderClab } from '../render/clab.ts';
import { parseTopology } from '../topology/load.ts';
import { chassisBehind, overlayNotReadyReasons, vmPortsNotUp, waitForOverlay } from './apply.ts';

describe('chassisBehind', () => {
  it('names each chassis behind OVN’s nb_cfg, and each not registered at all', () => {
    const reported = new Map([
      ['host1', 4],
      ['host2', 6],
      ['host3', 7],
    ]);
    expect(chassisBehind(['host1', 'host2', 'host3', 'host4'], reported, 6)).toEqual([
      "host1 has not applied OVN's latest state (its chassis reports nb_cfg 4, OVN is at 6): is its ovn-controller running, and its ovs-vswitchd?",
      "host4 is not registered as a chassis in OVN's southbound DB (is its ovn-controller running and reaching the central?)",
    ]);
  });

  it('is empty when every chassis has caught up', () => {
    expect(chassisBehind(['host1', 'host2'], new Map([['host1', 6], ['host2', 6]]), 6)).toEqual([]);
  });
});

describe('vmPortsNotUp', () => {
  const vms = [
    { name: 'vm1', switch: 'web', host: 'host1', hostIface: 'vm1' },
    { name: 'vm2', switch: 'db', host: 'host2', hostIface: 'vm2' },
  ];

  it('tells a port deleted from the northbound DB from one that is there but not up, naming each VM', () => {
    expect(vmPortsNotUp(vms, [{ name: 'vm1', up: ['set', []] }, { name: 'lsp-db-tenant', up: true }])).toEqual([
      'vm1: logical port not up (is ovn-controller on host1 connected to the southbound DB, and its port vm1 on br-int?)',
      "vm2: no logical switch port vm2 in OVN's northbound DB (the overlay declares it on switch db): was it deleted?",
    ]);
  });

  it('is empty when every VM port is up', () => {
    expect(vmPortsNotUp(vms, [{ name: 'vm2', up: true }, { name: 'vm1', up: true }])).toEqual([]);
  });
});

const topology = parseTopology(stringify(renderClab(planClos({ name: 'ov', spines: 1, leaves: 2, hosts: 2, vmsPerHost: 1 }))), '/labs/ov/ov.clab.yml', { exists: () => true });
const vm = (name: string, host: string): VmPort => ({ name, host, switch: 'web', ip: '10.20.1.11', prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, hostIface: name, iface: 'eth1', groups: [] });
const overlay: Overlay = { file: '/labs/ov/ov.overlay.yml', switches: [], routers: [], vms: [vm('vm1', 'host1'), vm('vm2', 'host2')], groups: [] } as unknown as Overlay;

/**
 * The lab as OVN shows it when host1's ovn-controller was killed: its ports stay up, the
 * barrier times out, and host1's chassis is left behind OVN's nb_cfg.
 */
function stalledLab(opts: { stopped: Record<string, string[]>; sbDown?: boolean }): StartedLab {
  const answer = (argv: readonly string[]): Partial<ExecResult> => {
    const line = argv.join(' ');
    if (line.includes('list Logical_Switch_Port')) return { stdout: JSON.stringify({ headings: ['name', 'up'], data: [['vm1', true], ['vm2', true]] }) };
    if (line.includes('--wait=hv sync')) return { exitCode: 1, stderr: 'ovn-nbctl: timeout expired' };
    if (argv[0] === 'ovn-sbctl' && opts.sbDown) return { exitCode: 1, stderr: 'ovn-sbctl: tcp:127.0.0.1:6642: database connection failed (Connection refused)' };
    if (line.includes('list Chassis_Private')) return { stdout: JSON.stringify({ headings: ['name', 'nb_cfg'], data: [['host1', 3], ['host2', 5]] }) };
    if (line.includes('get SB_Global . nb_cfg')) return { stdout: '5\n' };
    return { exitCode: 1, stderr: `unexpected: ${line}` };
  };
  const nodes = topology.nodes.map(
    (spec) =>
      ({
        name: spec.name,
        spec,
        daemons: spec.tier === 'compute' ? ['zebra', 'bgpd', 'ovsdb-server', 'ovs-vswitchd', 'ovn-controller'] : spec.tier === 'ovn-central' ? ['zebra', 'bgpd', 'ovsdb-server-nb', 'ovsdb-server-sb', 'ovn-northd'] : [],
        daemonRunning: async (d: string) => !(opts.stopped[spec.name] ?? []).includes(d),
        exec: async (argv: readonly string[]): Promise<ExecResult> => ({ argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...answer(argv) }),
      }) as unknown as NodeHandle,
  );
  return { name: 'ov', topology, nodes: () => nodes, node: (n: string) => nodes.find((x) => x.name === n)! } as unknown as StartedLab;
}

describe('waitForOverlay when the overlay never gets ready', () => {
  it('names the chassis whose ovn-controller is not running, and that it is behind OVN’s state', async () => {
    const err = (await waitForOverlay(stalledLab({ stopped: { host1: ['ovn-controller'] } }), overlay, 1_000).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('central: ovn-nbctl --db=tcp:127.0.0.1:6641 --timeout=1 --wait=hv sync failed (exit 1): ovn-nbctl: timeout expired');
    expect(err.message.split('\n').slice(1)).toEqual(['host1: ovn-controller is not running', "host1 has not applied OVN's latest state (its chassis reports nb_cfg 3, OVN is at 5): is its ovn-controller running, and its ovs-vswitchd?"]);
    expect(err.message).not.toMatch(/host2/);
  });

  it('names a stopped daemon of the central, even when its database cannot be read', async () => {
    const reasons = await overlayNotReadyReasons(stalledLab({ stopped: { central: ['ovsdb-server-sb'] }, sbDown: true }));
    expect(reasons).toEqual(['central: ovsdb-server-sb is not running']);
  });
});
