import { describe, expect, it } from 'vitest';
import { EXIT, UsageError } from '../errors.ts';
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';
import type { LabLink, LabNode } from '../model/topology.ts';
import { combineFaults, findLink, packetLoss, setLinkMtu, stopDaemon, type Fault } from './faults.ts';

// Only the pure parts of the faults: no lab is deployed. The fake lab's nodes refuse to run
// anything, and record that something tried; they run the daemons listed below.
const links: LabLink[] = [
  { endpoints: [{ node: 'spine1', iface: 'eth1' }, { node: 'leaf1', iface: 'eth1' }] },
  { endpoints: [{ node: 'spine1', iface: 'eth2' }, { node: 'leaf2', iface: 'eth1' }] },
  { endpoints: [{ node: 'leaf1', iface: 'eth2' }, { node: 'host1', iface: 'eth1' }], mtu: 1500 },
];

const FAKE_EXEC = 'fake lab: nothing may run on a node here';

/** What each fake node runs, as a runtime would list it: FRR's daemons, then OVS's and OVN's. */
const DAEMONS: Record<string, string[]> = {
  leaf1: ['zebra', 'staticd', 'bgpd', 'bfdd'],
  host1: ['zebra', 'staticd', 'bgpd', 'bfdd', 'ovsdb-server', 'ovs-vswitchd', 'ovn-controller'],
  central: ['zebra', 'staticd', 'bgpd', 'ovsdb-server-nb', 'ovsdb-server-sb', 'ovn-northd'],
  vm1: [],
};

function fakeLab(): { lab: StartedLab; touched: string[] } {
  const touched: string[] = [];
  const refuse = (what: string) => () => {
    touched.push(what);
    throw new Error(FAKE_EXEC);
  };
  const node = (name: string): NodeHandle => {
    touched.push(`node(${name})`);
    return {
      name,
      spec: { name, kind: 'linux', role: 'router', labels: {}, binds: [], exec: [], sysctls: {} } satisfies LabNode,
      frrDaemons: (DAEMONS[name] ?? []).filter((d) => !/^ov/.test(d)),
      daemons: DAEMONS[name] ?? [],
      exec: async (argv) => refuse(`${name}: ${argv.join(' ')}`)(),
      spawn: refuse(`${name}: spawn`),
      openReader: refuse(`${name}: openReader`),
      ipJson: async () => refuse(`${name}: ipJson`)(),
      openChannel: refuse(`${name}: openChannel`),
      toolArgv: refuse(`${name}: toolArgv`),
      stopDaemon: async (d) => refuse(`${name}: stopDaemon ${d}`)(),
      startDaemon: async (d) => refuse(`${name}: startDaemon ${d}`)(),
      daemonRunning: async (d) => refuse(`${name}: daemonRunning ${d}`)(),
      vtysh: async () => refuse(`${name}: vtysh`)(),
      daemonLog: async () => refuse(`${name}: daemonLog`)(),
      appctl: async () => refuse(`${name}: appctl`)(),
    };
  };
  const lab: StartedLab = {
    name: 'unit',
    runtime: 'fake',
    topology: { name: 'unit', file: '/nonexistent/unit.clab.yml', dir: '/nonexistent', nodes: [], links },
    times: { deployStartedAt: 0, deployedAt: 0 },
    frrConfigProblems: [],
    node,
    nodes: () => [],
    stop: async () => {},
    destroy: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  return { lab, touched };
}

/** Runs `f` and returns what it threw or rejected with (a sync throw and a rejection alike). */
async function failure(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure, but it succeeded');
}

describe('findLink', () => {
  it('finds a link from either of its endpoints', () => {
    const { lab } = fakeLab();
    expect(findLink(lab, 'spine1:eth1')).toBe(links[0]);
    expect(findLink(lab, 'leaf1:eth1')).toBe(links[0]);
    expect(findLink(lab, 'spine1:eth2')).toBe(links[1]);
    expect(findLink(lab, 'leaf2:eth1')).toBe(links[1]);
    expect(findLink(lab, 'host1:eth1')).toBe(links[2]);
    expect(findLink(lab, 'leaf1:eth2')).toBe(links[2]);
  });

  it('matches node and interface together, not either alone', () => {
    const { lab } = fakeLab();
    // leaf2 exists and eth2 exists, but leaf2 has no eth2.
    expect(() => findLink(lab, 'leaf2:eth2')).toThrow(UsageError);
    expect(() => findLink(lab, 'leaf1')).toThrow(UsageError);
  });

  it('an unknown endpoint is a usage error naming the endpoint, the lab and every link', () => {
    const { lab } = fakeLab();
    const err = (() => {
      try {
        findLink(lab, 'spine9:eth1');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT.usage);
    const message = (err as Error).message;
    expect(message).toContain('spine9:eth1');
    expect(message).toContain('unit');
    for (const label of ['spine1:eth1 <-> leaf1:eth1', 'spine1:eth2 <-> leaf2:eth1', 'leaf1:eth2 <-> host1:eth1']) expect(message).toContain(label);
  });

  it('touches no node', () => {
    const { lab, touched } = fakeLab();
    findLink(lab, 'leaf1:eth1');
    expect(() => findLink(lab, 'nope:eth0')).toThrow();
    expect(touched).toEqual([]);
  });
});

describe('packetLoss', () => {
  it.each([0, -5, 101, 1000, 12.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a loss of %s percent before touching any node', async (percent) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => packetLoss(lab, 'leaf1:eth1', percent));
    expect((err as Error).message).toMatch(/whole percentage from 1 to 100/);
    expect((err as Error).message).toContain(String(percent));
    expect(touched).toEqual([]);
  });

  it.each([1, 50, 100])('lets a loss of %s percent through to the nodes (the fake lab then refuses to run it)', async (percent) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => packetLoss(lab, 'leaf1:eth1', percent));
    expect((err as Error).message).toBe(FAKE_EXEC);
    expect(touched.some((t) => t.startsWith('spine1: nft') || t.startsWith('leaf1: nft'))).toBe(true);
  });

  it('an unknown endpoint is a usage error, before touching any node', async () => {
    const { lab, touched } = fakeLab();
    expect(await failure(() => packetLoss(lab, 'spine9:eth1', 10))).toBeInstanceOf(UsageError);
    expect(touched).toEqual([]);
  });
});

describe('setLinkMtu', () => {
  it.each([0, 67, 65536, 1500.5, -1500, Number.NaN])('refuses MTU %s before touching any node', async (mtu) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => setLinkMtu(lab, 'leaf1:eth1', mtu));
    expect((err as Error).message).toMatch(/MTU must be from 68 to 65535/);
    expect((err as Error).message).toContain(String(mtu));
    expect(touched).toEqual([]);
  });

  it.each([68, 1500, 9000, 65535])('lets MTU %s through to the nodes (the fake lab then refuses to run it)', async (mtu) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => setLinkMtu(lab, 'leaf1:eth1', mtu));
    expect((err as Error).message).toBe(FAKE_EXEC);
    expect(touched.length).toBeGreaterThan(0);
  });

  it('an unknown endpoint is a usage error, before touching any node', async () => {
    const { lab, touched } = fakeLab();
    expect(await failure(() => setLinkMtu(lab, 'spine9:eth1', 1500))).toBeInstanceOf(UsageError);
    expect(touched).toEqual([]);
  });
});

describe('stopDaemon', () => {
  it.each([
    ['leaf1', 'ovn-controller', 'leaf1 runs no ovn-controller (daemons: zebra, staticd, bgpd, bfdd)'],
    ['host1', 'ovn-northd', 'host1 runs no ovn-northd (daemons: zebra, staticd, bgpd, bfdd, ovsdb-server, ovs-vswitchd, ovn-controller)'],
    ['central', 'ovs-vswitchd', 'central runs no ovs-vswitchd (daemons: zebra, staticd, bgpd, ovsdb-server-nb, ovsdb-server-sb, ovn-northd)'],
    ['host1', 'bgp', 'host1 runs no bgp (daemons: zebra, staticd, bgpd, bfdd, ovsdb-server, ovs-vswitchd, ovn-controller)'],
    ['vm1', 'zebra', 'vm1 runs no zebra (daemons: none)'],
  ])('%s:%s is a usage error (exit 2) listing what the node runs, before anything is stopped', async (node, daemon, message) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => stopDaemon(lab, node, daemon));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT.usage);
    expect((err as Error).message).toBe(message);
    expect(touched).toEqual([`node(${node})`]);
  });

  it.each([
    ['leaf1', 'bgpd'],
    ['host1', 'ovn-controller'],
    ['host1', 'ovs-vswitchd'],
    ['host1', 'ovsdb-server'],
    ['central', 'ovn-northd'],
    ['central', 'ovsdb-server-nb'],
    ['central', 'ovsdb-server-sb'],
  ])('lets %s:%s through to the node (the fake lab then refuses to stop it)', async (node, daemon) => {
    const { lab, touched } = fakeLab();
    const err = await failure(() => stopDaemon(lab, node, daemon));
    expect((err as Error).message).toBe(FAKE_EXEC);
    expect(touched).toEqual([`node(${node})`, `${node}: stopDaemon ${daemon}`]);
  });

  it('restores by starting the same daemon on the same node, once however often it is undone', async () => {
    const { lab } = fakeLab();
    const calls: string[] = [];
    const node = lab.node('host1');
    const fault = await stopDaemon({ ...lab, node: () => ({ ...node, stopDaemon: async (d) => void calls.push(`stop ${d}`), startDaemon: async (d) => void calls.push(`start ${d}`) }) }, 'host1', 'ovs-vswitchd');
    expect(fault.description).toBe('ovs-vswitchd killed on host1');
    expect(calls).toEqual(['stop ovs-vswitchd']);
    await fault.restore();
    await fault[Symbol.asyncDispose]();
    expect(calls).toEqual(['stop ovs-vswitchd', 'start ovs-vswitchd']);
  });
});

describe('combineFaults', () => {
  const part = (name: string, at: bigint, log: string[]): Fault => {
    const restore = async () => void log.push(name);
    return { description: name, appliedAtNs: at, restore, [Symbol.asyncDispose]: restore };
  };

  it('took effect when its first part did, and restores each part once, in the order given', async () => {
    const log: string[] = [];
    const f = combineFaults('both', [part('vswitchd', 20n, log), part('controller', 10n, log)]);
    expect(f.appliedAtNs).toBe(10n);
    await f.restore();
    await f[Symbol.asyncDispose]();
    expect(log).toEqual(['vswitchd', 'controller']);
  });

  it('refuses to combine nothing', () => {
    expect(() => combineFaults('none', [])).toThrow(/no faults for "none"/);
  });
});
