import { describe, expect, it } from 'vitest';
import { OVN_NB_PORT, OVN_SB_PORT } from '../model/overlay.ts';
import type { ChassisPlan } from '../plan/chassis.ts';
import {
  brPhyFlows,
  centralArgvs,
  centralDaemons,
  chassisDaemonArgvs,
  chassisDaemons,
  chassisSetupSteps,
  chassisVsctlArgv,
  overlayDaemonsOf,
  ingressDropRuleset,
  OVN_NB_SCHEMA,
  OVN_SB_SCHEMA,
  ovsEnv,
  VSWITCH_SCHEMA,
} from './ovn-daemons.ts';

const DIR = '/run/netproof/lab/host1/ovs';
const SCHEMAS = new Set([VSWITCH_SCHEMA, OVN_NB_SCHEMA, OVN_SB_SCHEMA]);

const CHASSIS: ChassisPlan = {
  node: 'host1',
  tep: '10.255.2.1',
  ovnRemote: `tcp:10.255.3.1:${OVN_SB_PORT}`,
  hwaddr: '02:4e:12:34:56:78',
  uplinks: [
    { iface: 'eth1', peer: { node: 'leaf1', iface: 'eth3' } },
    { iface: 'eth2', peer: { node: 'leaf2', iface: 'eth3' } },
  ],
  vmPorts: [
    { iface: 'vm1', vm: 'vm1', vmIface: 'eth1' },
    { iface: 'tap5', vm: 'vm5', vmIface: 'eth1' },
  ],
  externalPorts: [],
};

/** CHASSIS as a gateway chassis: linked to two external nodes. */
const GATEWAY_CHASSIS: ChassisPlan = {
  ...CHASSIS,
  externalPorts: [
    { iface: 'ext', bridge: 'br-ex1', network: 'ext', peer: { node: 'ext', iface: 'eth1' } },
    { iface: 'ext2', bridge: 'br-ex2', network: 'isp2', peer: { node: 'isp2', iface: 'eth1' } },
  ],
};

/** Every file-system path an argument names: a bare absolute path, or one after `=` or `unix:`/`punix:`. */
function pathsIn(argv: string[]): string[] {
  return argv.flatMap((a) => {
    const m = /^(?:--[a-z-]+=)?(?:p?unix:)?(\/.*)$/.exec(a);
    return m ? [m[1]!] : [];
  });
}

describe('ovsEnv', () => {
  it('points every OVS and OVN directory variable at the node’s directory', () => {
    const env = ovsEnv(DIR);
    expect(Object.keys(env).sort()).toEqual(['OVN_DBDIR', 'OVN_LOGDIR', 'OVN_RUNDIR', 'OVN_SYSCONFDIR', 'OVS_DBDIR', 'OVS_LOGDIR', 'OVS_RUNDIR', 'OVS_SYSCONFDIR']);
    for (const v of Object.values(env)) expect(v).toBe(DIR);
  });
});

describe('daemon argv: everything a daemon writes is under the node’s directory', () => {
  const central = centralArgvs(DIR);
  const chassis = chassisDaemonArgvs(DIR);
  const all: [string, string[]][] = [
    ...central.create.map((a, i) => [`central create ${i}`, a] as [string, string[]]),
    ...central.start.map((a) => [`central ${a[0]} ${a[1] ?? ''}`, a] as [string, string[]]),
    ...Object.entries(chassis).map(([k, a]) => [`chassis ${k}`, a] as [string, string[]]),
  ];

  it.each(all)('%s', (_name, argv) => {
    const paths = pathsIn(argv);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) if (!SCHEMAS.has(p)) expect(p.startsWith(`${DIR}/`), `${argv.join(' ')}: ${p}`).toBe(true);
  });

  it('detaches every daemon with its own pidfile and log, never in the working directory', () => {
    const daemons = [...central.start, chassis.ovsdb, chassis.vswitchd, chassis.controller];
    const pidfiles = daemons.map((a) => a.find((x) => x.startsWith('--pidfile='))!);
    const logs = daemons.map((a) => a.find((x) => x.startsWith('--log-file='))!);
    expect(pidfiles.every(Boolean) && logs.every(Boolean)).toBe(true);
    expect(new Set(pidfiles).size).toBe(daemons.length);
    expect(new Set(logs).size).toBe(daemons.length);
    for (const a of daemons) expect(a, a[0]).toEqual(expect.arrayContaining(['--detach', '--no-chdir']));
  });

  it('the central creates its NB and SB databases from OVN’s schemas and serves them on a socket and TCP', () => {
    expect(central.create).toEqual([
      ['ovsdb-tool', 'create', `${DIR}/ovnnb_db.db`, OVN_NB_SCHEMA],
      ['ovsdb-tool', 'create', `${DIR}/ovnsb_db.db`, OVN_SB_SCHEMA],
    ]);
    const [nb, sb, northd] = central.start as [string[], string[], string[]];
    expect(nb.slice(0, 4)).toEqual(['ovsdb-server', `${DIR}/ovnnb_db.db`, `--remote=punix:${DIR}/ovnnb_db.sock`, `--remote=ptcp:${OVN_NB_PORT}`]);
    expect(sb.slice(0, 4)).toEqual(['ovsdb-server', `${DIR}/ovnsb_db.db`, `--remote=punix:${DIR}/ovnsb_db.sock`, `--remote=ptcp:${OVN_SB_PORT}`]);
    expect(northd).toEqual(expect.arrayContaining(['ovn-northd', `--ovnnb-db=unix:${DIR}/ovnnb_db.sock`, `--ovnsb-db=unix:${DIR}/ovnsb_db.sock`]));
  });

  it('the chassis’s vswitchd and ovn-controller talk to its own ovsdb-server', () => {
    expect(chassis.create).toEqual(['ovsdb-tool', 'create', `${DIR}/conf.db`, VSWITCH_SCHEMA]);
    expect(chassis.ovsdb).toContain(`--remote=punix:${DIR}/db.sock`);
    expect(chassis.vswitchd.slice(0, 2)).toEqual(['ovs-vswitchd', `unix:${DIR}/db.sock`]);
    expect(chassis.controller.slice(0, 2)).toEqual(['ovn-controller', `unix:${DIR}/db.sock`]);
    // ovn-controller 23.03 does not know --unixctl.
    expect(chassis.controller.some((a) => a.startsWith('--unixctl'))).toBe(false);
  });

  it('keeps a node’s files apart from another node’s', () => {
    const other = '/run/netproof/lab/host2/ovs';
    for (const p of pathsIn(Object.values(chassisDaemonArgvs(other)).flat())) if (!SCHEMAS.has(p)) expect(p.startsWith(`${DIR}/`)).toBe(false);
  });
});

describe('chassisVsctlArgv', () => {
  const argv = chassisVsctlArgv(CHASSIS);
  /** The ovs-vsctl commands of the transaction, split at `--`. */
  const commands = argv
    .join('\u0000')
    .split('\u0000--\u0000')
    .slice(1)
    .map((c) => c.split('\u0000'));
  const has = (...cmd: string[]) => commands.some((c) => cmd.every((x, i) => c[i] === x));

  it('is one ovs-vsctl transaction with a timeout, written to the database without waiting for ovs-vswitchd (which starts after it)', () => {
    expect(argv.slice(0, 3)).toEqual(['ovs-vsctl', '--no-wait', '--timeout=30']);
    expect(argv[3]).toBe('--');
  });

  it('adds every uplink to br-phy, and only the uplinks', () => {
    const onPhy = commands.filter((c) => c[0] === 'add-port' && c[1] === 'br-phy').map((c) => c[2]);
    expect(onPhy).toEqual(CHASSIS.uplinks.map((u) => u.iface));
  });

  it('adds every VM port to br-int, bound to its VM’s OVN logical port', () => {
    const onInt = commands.filter((c) => c[0] === 'add-port' && c[1] === 'br-int').map((c) => c[2]);
    expect(onInt).toEqual(CHASSIS.vmPorts.map((p) => p.iface));
    for (const p of CHASSIS.vmPorts) expect(has('set', 'interface', p.iface, `external_ids:iface-id=${p.vm}`), p.iface).toBe(true);
  });

  it('creates each bridge once, before its ports, with the userspace datapath and fail-mode secure', () => {
    for (const br of ['br-phy', 'br-int']) {
      const add = commands.findIndex((c) => c[0] === 'add-br' && c[1] === br);
      expect(commands.filter((c) => c[0] === 'add-br' && c[1] === br), br).toHaveLength(1);
      const set = commands.find((c) => c[0] === 'set' && c[1] === 'bridge' && c[2] === br)!;
      expect(set, br).toEqual(expect.arrayContaining(['datapath_type=netdev', 'fail-mode=secure']));
      const firstPort = commands.findIndex((c) => c[0] === 'add-port' && c[1] === br);
      expect(add, br).toBeLessThan(firstPort);
    }
    expect(commands.find((c) => c[2] === 'br-phy' && c[1] === 'bridge')).toContain(`other_config:hwaddr="${CHASSIS.hwaddr}"`);
    expect(commands.find((c) => c[2] === 'br-int' && c[1] === 'bridge')).toContain('other_config:disable-in-band=true');
  });

  it('sets OVN’s external ids: the TEP as encap IP, local-ip sourcing, the quoted remote, geneve, netdev', () => {
    const ovs = commands.find((c) => c[0] === 'set' && c[1] === 'open_vswitch' && c[2] === '.')!;
    expect(ovs).toEqual(
      expect.arrayContaining([
        `external_ids:system-id=${CHASSIS.node}`,
        `external_ids:ovn-encap-ip=${CHASSIS.tep}`,
        'external_ids:ovn-set-local-ip=true',
        `external_ids:ovn-remote="${CHASSIS.ovnRemote}"`,
        'external_ids:ovn-encap-type=geneve',
        'external_ids:ovn-bridge-datapath-type=netdev',
      ]),
    );
  });

  it('has no empty command (a stray `--`)', () => {
    for (const c of commands) expect(c.length).toBeGreaterThan(1);
  });

  it('maps no provider network on a chassis without external links', () => {
    expect(argv.some((a) => a.includes('ovn-bridge-mappings'))).toBe(false);
  });

  it('gives a gateway chassis a learning bridge per external link, mapped by the external node’s name', () => {
    const gw = chassisVsctlArgv(GATEWAY_CHASSIS).join('\u0000').split('\u0000--\u0000').slice(1).map((c) => c.split('\u0000'));
    for (const e of GATEWAY_CHASSIS.externalPorts) {
      expect(gw).toContainEqual(['add-br', e.bridge]);
      expect(gw).toContainEqual(['set', 'bridge', e.bridge, 'datapath_type=netdev']);
      expect(gw).toContainEqual(['add-port', e.bridge, e.iface]);
    }
    expect(gw.find((c) => c[1] === 'open_vswitch')).toContain('external_ids:ovn-bridge-mappings="ext:br-ex1,isp2:br-ex2"');
  });
});

describe('the daemons a fault can stop, and how each starts again', () => {
  const line = (argv: readonly string[]) => argv.join(' ');

  it('a chassis runs ovsdb-server, ovs-vswitchd and ovn-controller, each with the pidfile its argv writes', () => {
    const daemons = chassisDaemons(CHASSIS, DIR);
    expect(daemons.map((d) => d.name)).toEqual(['ovsdb-server', 'ovs-vswitchd', 'ovn-controller']);
    for (const d of daemons) {
      expect(d.pidfile, d.name).toBe(`${DIR}/${d.name}.pid`);
      expect(d.steps[0]!.argv, d.name).toContain(`--pidfile=${d.pidfile}`);
      expect(d.steps[0]!.argv[0], d.name).toBe(d.name);
    }
  });

  it('ovs-vswitchd gets br-phy’s flows and br-phy up after every start: they are not in its database', () => {
    const vswitchd = chassisDaemons(CHASSIS, DIR).find((d) => d.name === 'ovs-vswitchd')!;
    expect(vswitchd.steps.map((s) => line(s.argv))).toEqual([line(chassisDaemonArgvs(DIR).vswitchd), 'ovs-ofctl add-flows br-phy -', 'ip link set dev br-phy up']);
    expect(vswitchd.steps[1]!.stdin?.text).toBe(brPhyFlows(CHASSIS));
  });

  it('bring-up runs the same steps: the bridges go into the database first, then the daemons start; ovn-controller comes later, once routed', () => {
    const setup = chassisSetupSteps(CHASSIS, DIR).map((s) => line(s.argv));
    const [ovsdb, vswitchd, controller] = chassisDaemons(CHASSIS, DIR).map((d) => d.steps.map((s) => line(s.argv)));
    const at = (steps: string[]) => setup.indexOf(steps[0]!);
    for (const steps of [ovsdb!, vswitchd!]) expect(setup.slice(at(steps), at(steps) + steps.length)).toEqual(steps);
    expect(setup.indexOf(line(chassisDaemonArgvs(DIR).create))).toBe(0);
    expect(at(ovsdb!)).toBeLessThan(setup.indexOf(line(chassisVsctlArgv(CHASSIS))));
    expect(setup.indexOf(line(chassisVsctlArgv(CHASSIS)))).toBeLessThan(at(vswitchd!));
    expect(setup).not.toContain(controller![0]);
    expect(setup.at(-1)).toBe('nft -f -');
  });

  it('the central runs its NB and SB databases and northd as separate processes, each with its own pidfile and log (a crash is named from it)', () => {
    const daemons = centralDaemons(DIR);
    expect(daemons.map((d) => [d.name, d.pidfile, d.logfile])).toEqual([
      ['ovsdb-server-nb', `${DIR}/ovnnb_db.pid`, `${DIR}/ovnnb_db.log`],
      ['ovsdb-server-sb', `${DIR}/ovnsb_db.pid`, `${DIR}/ovnsb_db.log`],
      ['ovn-northd', `${DIR}/ovn-northd.pid`, `${DIR}/ovn-northd.log`],
    ]);
    for (const d of daemons) expect(d.steps[0]!.argv, d.name).toContain(`--log-file=${d.logfile}`);
    expect(daemons.flatMap((d) => d.steps.map((s) => s.argv))).toEqual(centralArgvs(DIR).start);
  });

  it('a node gets the daemons of its overlay role, and none outside the overlay', () => {
    const overlay = { central: { node: 'central', address: '10.255.3.1' }, chassis: [CHASSIS] };
    expect(overlayDaemonsOf(overlay, 'central', DIR).map((d) => d.name)).toEqual(['ovsdb-server-nb', 'ovsdb-server-sb', 'ovn-northd']);
    expect(overlayDaemonsOf(overlay, 'host1', DIR).map((d) => d.name)).toEqual(['ovsdb-server', 'ovs-vswitchd', 'ovn-controller']);
    expect(overlayDaemonsOf(overlay, 'leaf1', DIR)).toEqual([]);
    expect(overlayDaemonsOf(undefined, 'host1', DIR)).toEqual([]);
  });
});

describe('brPhyFlows', () => {
  const flows = brPhyFlows(CHASSIS).split('\n').filter(Boolean);
  const parsed = flows.map((f) => {
    const actions = f.slice(f.indexOf('actions=') + 'actions='.length);
    const match = Object.fromEntries(
      f
        .slice(0, f.indexOf('actions='))
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    );
    return { match, actions };
  });
  const uplinks = CHASSIS.uplinks.map((u) => u.iface);
  const outputsToUplink = (actions: string) => uplinks.some((u) => actions.includes(`output:"${u}"`) || new RegExp(`output:${u}(,|$)`).test(actions));

  it('has a flow for every uplink that sends what arrives to the host (LOCAL), and nowhere else', () => {
    for (const u of uplinks) {
      const f = parsed.filter((p) => p.match.in_port === `"${u}"`);
      expect(f, u).toHaveLength(1);
      expect(f[0]!.actions.endsWith(',LOCAL'), f[0]!.actions).toBe(true);
      expect(outputsToUplink(f[0]!.actions), f[0]!.actions).toBe(false);
      expect(f[0]!.actions, 'no resubmit into the host-to-uplink table').not.toContain('resubmit');
    }
  });

  it('learns, from what arrives on an uplink, that the source MAC lives behind it', () => {
    for (const u of uplinks) {
      const f = parsed.find((p) => p.match.in_port === `"${u}"`)!;
      expect(f.actions).toMatch(/^learn\(table=1,.*NXM_OF_ETH_DST\[\]=NXM_OF_ETH_SRC\[\].*output:NXM_OF_IN_PORT\[\]\)/);
    }
  });

  it('sends what the host sends to table 1, which floods to every uplink until it has learned', () => {
    const fromHost = parsed.filter((p) => p.match.in_port === 'LOCAL');
    expect(fromHost).toHaveLength(1);
    expect(fromHost[0]!.actions).toBe('resubmit(,1)');
    const flood = parsed.find((p) => p.match.table === '1')!;
    expect(flood.match.priority).toBe('0');
    expect(flood.actions).toBe(uplinks.map((u) => `output:"${u}"`).join(','));
  });

  it('only ever enters table 1 from the host', () => {
    for (const p of parsed.filter((x) => x.actions.includes('resubmit(,1)'))) expect(p.match.in_port).toBe('LOCAL');
  });

  it('is one flow per uplink plus two, each line ending the text', () => {
    expect(flows).toHaveLength(uplinks.length + 2);
    expect(brPhyFlows(CHASSIS).endsWith('\n')).toBe(true);
  });
});

describe('ingressDropRuleset', () => {
  const ifaces = ['eth1', 'eth2', 'vm1', 'tap5'];
  const text = ingressDropRuleset(ifaces);
  const chains = [...text.matchAll(/chain (\S+) \{\s*([^}]*)\}/g)].map((m) => ({ name: m[1]!, body: m[2]!.trim() }));

  it('is one netdev table', () => {
    expect(text.match(/^table /gm)).toEqual(['table ']);
    expect(text.startsWith('table netdev netproof {')).toBe(true);
    expect(text.trimEnd().endsWith('}')).toBe(true);
  });

  it('has one ingress chain with policy drop per interface, and no other chain', () => {
    expect(chains).toHaveLength(ifaces.length);
    for (const i of ifaces) {
      const own = chains.filter((c) => c.body.includes(`device "${i}"`));
      expect(own, i).toHaveLength(1);
      expect(own[0]!.body).toMatch(new RegExp(`^type filter hook ingress device "${i}" priority 0; policy drop;$`));
    }
    expect(new Set(chains.map((c) => c.name)).size).toBe(ifaces.length);
  });

  it('balances its braces (nft -f would refuse it otherwise)', () => {
    expect(text.split('{').length).toBe(text.split('}').length);
  });
});
