import { Address4 } from 'ip-address';
import { describe, expect, it } from 'vitest';
import { planClos, type PlannedRouter } from '../plan/clos.ts';
import { daemonsFromConfig, daemonsFromFile, KNOWN_DAEMONS } from './frr-daemons.ts';
import { isisSystemId, renderDaemons, renderFrrConf, underlayDaemons } from './frr.ts';

const plan = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4, bfdIntervalMs: 150, bfdMultiplier: 4 });
const confs = new Map(plan.routers.map((r) => [r.name, renderFrrConf(r, plan).split('\n')]));
const linesOf = (r: PlannedRouter) => confs.get(r.name)!;

/** The lines of the top-level block that starts with `header`, up to its `exit`. */
function block(lines: string[], header: string): string[] {
  const start = lines.indexOf(header);
  expect(start, `block "${header}"`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('exit', start);
  return lines.slice(start + 1, end);
}
const trimmed = (lines: string[]) => lines.map((l) => l.trim());

describe('renderFrrConf', () => {
  it.each(plan.routers.map((r) => [r.name, r] as const))('%s: uses the datacenter defaults and its own name', (_n, r) => {
    expect(linesOf(r)).toContain('frr defaults datacenter');
    expect(linesOf(r)).toContain(`hostname ${r.name}`);
  });

  it.each(plan.routers.map((r) => [r.name, r] as const))('%s: addresses its loopback and every interface', (_n, r) => {
    expect(trimmed(block(linesOf(r), 'interface lo'))).toContain(`ip address ${r.loopback}`);
    for (const i of r.interfaces) expect(trimmed(block(linesOf(r), `interface ${i.name}`))).toContain(`ip address ${i.address}`);
  });

  it.each(plan.routers.map((r) => [r.name, r] as const))('%s: one eBGP neighbor per interface with the peer’s ASN and BFD, nothing more', (_n, r) => {
    const bgp = trimmed(block(linesOf(r), `router bgp ${r.asn}`));
    expect(bgp).toContain(`bgp router-id ${r.routerId}`);
    const remoteAs = bgp.filter((l) => /^neighbor \S+ remote-as /.test(l));
    expect(remoteAs).toHaveLength(r.interfaces.length);
    for (const i of r.interfaces) {
      expect(bgp).toContain(`neighbor ${i.peer.address} remote-as ${i.peer.asn}`);
      expect(bgp).toContain(`neighbor ${i.peer.address} bfd`);
    }
    const bfdNeighbors = bgp.filter((l) => /^neighbor \S+ bfd$/.test(l)).map((l) => l.split(' ')[1]);
    expect(bfdNeighbors.sort()).toEqual(remoteAs.map((l) => l.split(' ')[1]).sort());
  });

  it.each(plan.routers.map((r) => [r.name, r] as const))('%s: advertises its loopback, allows ECMP, and relaxes multipath across ASNs', (_n, r) => {
    const bgp = trimmed(block(linesOf(r), `router bgp ${r.asn}`));
    expect(bgp).toContain(`network ${r.loopback}`);
    expect(bgp).toContain(`maximum-paths ${r.maxPaths}`);
    expect(r.maxPaths).toBeGreaterThanOrEqual(2);
    expect(bgp).toContain('bgp bestpath as-path multipath-relax');
    expect(bgp).toContain('no bgp ebgp-requires-policy');
  });

  it('every neighbor address and remote-as matches a real router on the other end of a link', () => {
    // Read the configs back, independently of the plan: who owns which address, with which ASN.
    const owners = new Map<string, { name: string; asn: number }>();
    for (const [name, lines] of confs) {
      const asn = Number(lines.find((l) => l.startsWith('router bgp '))!.split(' ')[2]);
      for (const l of lines) {
        const m = /^ ip address (\S+)\/31$/.exec(l);
        if (m) owners.set(m[1]!, { name, asn });
      }
    }
    for (const [name, lines] of confs) {
      const mine = lines.map((l) => /^ ip address (\S+\/31)$/.exec(l)?.[1]).filter((a): a is string => a !== undefined);
      for (const l of lines) {
        const m = /^ neighbor (\S+) remote-as (\d+)$/.exec(l);
        if (!m) continue;
        const owner = owners.get(m[1]!);
        expect(owner, `${name}: neighbor ${m[1]} is nobody's address`).toBeDefined();
        expect(owner!.name).not.toBe(name);
        expect(Number(m[2]), `${name}: neighbor ${m[1]} (${owner!.name})`).toBe(owner!.asn);
        const peer = new Address4(`${m[1]}/31`);
        expect(mine.some((a) => new Address4(a).startAddress().correctForm() === peer.startAddress().correctForm()), `${name} shares a /31 with ${m[1]}`).toBe(true);
      }
    }
  });

  it('hosts send only their own loopback to every neighbor', () => {
    for (const h of plan.routers.filter((r) => r.tier === 'compute')) {
      const lines = trimmed(linesOf(h));
      expect(lines).toContain(`ip prefix-list OWN-LOOPBACK seq 10 permit ${h.loopback}`);
      expect(lines.filter((l) => l.startsWith('ip prefix-list OWN-LOOPBACK'))).toHaveLength(1);
      expect(block(linesOf(h), 'route-map ONLY-OWN-LOOPBACK permit 10').map((l) => l.trim())).toEqual(['match ip address prefix-list OWN-LOOPBACK']);
      const af = trimmed(block(linesOf(h), `router bgp ${h.asn}`));
      for (const i of h.interfaces) expect(af, `${h.name} → ${i.peer.node}`).toContain(`neighbor ${i.peer.address} route-map ONLY-OWN-LOOPBACK out`);
    }
  });

  it('spines and leaves are transit: no outbound filter', () => {
    for (const r of plan.routers.filter((x) => x.tier !== 'compute')) {
      expect(linesOf(r).join('\n'), r.name).not.toMatch(/ONLY-OWN-LOOPBACK|route-map .* out/);
    }
  });

  it('the BFD profile carries the planned timers', () => {
    for (const r of plan.routers) {
      const lines = linesOf(r);
      const profile = lines.slice(lines.indexOf(' profile fabric') + 1, lines.indexOf(' exit', lines.indexOf(' profile fabric'))).map((l) => l.trim());
      expect(profile, r.name).toEqual(expect.arrayContaining(['detect-multiplier 4', 'receive-interval 150', 'transmit-interval 150']));
      expect(trimmed(block(lines, `router bgp ${r.asn}`))).toEqual(expect.arrayContaining(r.interfaces.map((i) => `neighbor ${i.peer.address} bfd profile fabric`)));
    }
  });

  it('needs bgpd and bfdd, read back from the configuration', () => {
    for (const r of plan.routers) expect(daemonsFromConfig(renderFrrConf(r, plan))).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });
});

describe('renderDaemons', () => {
  const text = renderDaemons(['bgpd', 'bfdd']);

  it('enables bgpd and bfdd and nothing else', () => {
    expect(daemonsFromFile(text)).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
    const lines = text.split('\n');
    expect(lines).toContain('bgpd=yes');
    expect(lines).toContain('bfdd=yes');
    expect(lines.filter((l) => /^[a-z0-9]+d=yes$/.test(l))).toHaveLength(2);
  });

  it('states every daemon FRR knows, once', () => {
    const stated = text.split('\n').map((l) => /^([a-z0-9]+d)=(yes|no)$/.exec(l)?.[1]).filter((d) => d !== undefined);
    expect(stated.sort()).toEqual([...KNOWN_DAEMONS].sort());
  });

  it('keeps vty on loopback and vtysh enabled', () => {
    expect(text.split('\n')).toContain('vtysh_enable=yes');
    for (const d of ['zebra', 'bgpd', 'bfdd', 'staticd']) expect(text).toMatch(new RegExp(`^${d}_options=".*-A 127\\.0\\.0\\.1`, 'm'));
  });

  it('enables nothing when asked for nothing', () => {
    expect(daemonsFromFile(renderDaemons([]))).toEqual(['zebra', 'staticd']);
  });
});

describe('renderFrrConf with an overlay', () => {
  const ov = planClos({ name: 'ov', spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 });
  const conf = (r: PlannedRouter) => renderFrrConf(r, ov).split('\n');
  const hosts = ov.routers.filter((r) => r.tier === 'compute');
  const central = ov.routers.find((r) => r.tier === 'ovn-central')!;
  const fabric = ov.routers.filter((r) => r.tier === 'spine' || r.tier === 'leaf');

  it.each(hosts.map((r) => [r.name, r] as const))('%s: puts every link address and the TEP on br-phy, and no address anywhere else', (_n, r) => {
    const lines = conf(r);
    const brPhy = trimmed(block(lines, 'interface br-phy'));
    expect(brPhy.filter((l) => l.startsWith('ip address ')).sort()).toEqual([...r.interfaces.map((i) => `ip address ${i.address}`), `ip address ${r.loopback}`].sort());
    expect(r.interfaces.length).toBe(2);
    expect(lines.filter((l) => l.startsWith('interface '))).toEqual(['interface br-phy']);
    expect(lines).not.toContain('interface eth1');
    expect(lines).not.toContain('interface lo');
  });

  it.each(hosts.map((r) => [r.name, r] as const))('%s: uses one path and still peers with both leaves', (_n, r) => {
    const bgp = trimmed(block(conf(r), `router bgp ${r.asn}`));
    expect(bgp).toContain('maximum-paths 1');
    expect(bgp.filter((l) => l.startsWith('maximum-paths'))).toHaveLength(1);
    for (const i of r.interfaces) expect(bgp).toContain(`neighbor ${i.peer.address} remote-as ${i.peer.asn}`);
    expect(bgp).toContain(`network ${r.loopback}`);
  });

  it.each([...hosts, central].map((r) => [r.name, r] as const))('%s: sources what it originates from its loopback', (_n, r) => {
    const lines = conf(r);
    expect(trimmed(block(lines, 'route-map SOURCE-FROM-LOOPBACK permit 10'))).toEqual([`set src ${r.routerId}`]);
    expect(lines).toContain('ip protocol bgp route-map SOURCE-FROM-LOOPBACK');
    // zebra applies it to BGP routes: the statement must be at the top level, not inside a block.
    const at = lines.indexOf('ip protocol bgp route-map SOURCE-FROM-LOOPBACK');
    expect(lines.indexOf(`router bgp ${r.asn}`)).toBeGreaterThan(at);
  });

  it('gives spines and leaves no source rewriting, and keeps their addresses on their interfaces', () => {
    for (const r of fabric) {
      const lines = conf(r);
      expect(lines.join('\n'), r.name).not.toMatch(/SOURCE-FROM-LOOPBACK|set src|br-phy/);
      for (const i of r.interfaces) expect(trimmed(block(lines, `interface ${i.name}`))).toContain(`ip address ${i.address}`);
    }
  });

  it('the central is a plain router with addresses on lo and its two links, sending only its loopback', () => {
    const lines = conf(central);
    expect(trimmed(block(lines, 'interface lo'))).toContain(`ip address ${central.loopback}`);
    expect(central.interfaces.map((i) => i.peer.node)).toEqual(['leaf1', 'leaf2']);
    for (const i of central.interfaces) expect(trimmed(block(lines, `interface ${i.name}`))).toContain(`ip address ${i.address}`);
    const bgp = trimmed(block(lines, `router bgp ${central.asn}`));
    for (const i of central.interfaces) expect(bgp).toContain(`neighbor ${i.peer.address} route-map ONLY-OWN-LOOPBACK out`);
    expect(lines).not.toContain('interface br-phy');
  });

  it('every leaf neighbor of a chassis is an address on that chassis’s br-phy', () => {
    for (const leaf of ov.routers.filter((r) => r.tier === 'leaf')) {
      const bgp = trimmed(block(conf(leaf), `router bgp ${leaf.asn}`));
      for (const i of leaf.interfaces.filter((x) => hosts.some((h) => h.name === x.peer.node))) {
        expect(bgp).toContain(`neighbor ${i.peer.address} remote-as ${i.peer.asn}`);
        const host = hosts.find((h) => h.name === i.peer.node)!;
        expect(trimmed(block(conf(host), 'interface br-phy')), `${leaf.name} → ${host.name}`).toContain(`ip address ${i.peer.address}/31`);
      }
    }
  });
});

describe('renderFrrConf on an unnumbered fabric (RFC 5549)', () => {
  const un = planClos({ name: 'un', spines: 2, leaves: 2, hosts: 2, unnumbered: true });
  const leaf1 = un.routers.find((r) => r.name === 'leaf1')!;
  const host1 = un.routers.find((r) => r.name === 'host1')!;

  it('peers over each interface with the neighbor’s ASN, and gives the links no address', () => {
    const lines = renderFrrConf(leaf1, un).split('\n');
    const bgp = trimmed(block(lines, `router bgp ${leaf1.asn}`));
    expect(leaf1.interfaces.map((i) => i.name)).toEqual(['eth1', 'eth2', 'eth3', 'eth4']);
    for (const i of leaf1.interfaces) {
      expect(bgp).toContain(`neighbor ${i.name} interface remote-as ${i.peer.asn}`);
      expect(bgp).toContain(`neighbor ${i.name} bfd profile fabric`);
      expect(trimmed(block(lines, `interface ${i.name}`)).filter((l) => l.startsWith('ip address'))).toEqual([]);
    }
    expect(lines.join('\n')).not.toMatch(/neighbor \d/);
    expect(trimmed(block(lines, 'interface lo'))).toContain(`ip address ${leaf1.loopback}`);
  });

  it('keeps a host to its own loopback, named by interface', () => {
    const bgp = trimmed(block(renderFrrConf(host1, un).split('\n'), `router bgp ${host1.asn}`));
    for (const i of host1.interfaces) expect(bgp).toContain(`neighbor ${i.name} route-map ONLY-OWN-LOOPBACK out`);
  });
});

describe('renderFrrConf on a dual-stack fabric', () => {
  const ds = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'dual-stack' });
  const leaf1 = ds.routers.find((r) => r.name === 'leaf1')!;
  const host1 = ds.routers.find((r) => r.name === 'host1')!;
  /** The lines of one address family's block inside router bgp, trimmed. */
  const family = (conf: string, af: string) => {
    const bgp = trimmed(block(conf.split('\n'), `router bgp ${ds.routers.find((r) => conf.includes(`hostname ${r.name}\n`))!.asn}`));
    const from = bgp.indexOf(`address-family ${af} unicast`);
    return bgp.slice(from + 1, bgp.indexOf('exit-address-family', from));
  };

  it('puts the IPv6 loopback on lo and advertises it in the IPv6 family, activated on every session', () => {
    const conf = renderFrrConf(leaf1, ds);
    expect(trimmed(block(conf.split('\n'), 'interface lo'))).toEqual(['ip address 10.255.1.1/32', 'ipv6 address fd00:10:255:1::1/128']);
    expect(family(conf, 'ipv6')).toEqual(['network fd00:10:255:1::1/128', 'maximum-paths 64', ...leaf1.interfaces.map((i) => `neighbor ${i.name} activate`)]);
    expect(family(conf, 'ipv4')).toEqual(['network 10.255.1.1/32', 'maximum-paths 64']);
  });

  it('keeps a host to its own IPv6 loopback too', () => {
    const conf = renderFrrConf(host1, ds);
    expect(conf).toContain('ipv6 prefix-list OWN-LOOPBACK6 seq 10 permit fd00:10:255:2::1/128');
    expect(family(conf, 'ipv6')).toEqual(expect.arrayContaining(host1.interfaces.map((i) => `neighbor ${i.name} route-map ONLY-OWN-LOOPBACK6 out`)));
  });

  it('an IPv6-only router: its loopback and family IPv6 alone, a host kept to its own, no IPv4 source route-map', () => {
    const v6 = planClos({ name: 'v6', spines: 2, leaves: 2, hosts: 2, unnumbered: true, underlayFamily: 'ipv6' });
    const leaf = renderFrrConf(v6.routers.find((r) => r.name === 'leaf1')!, v6);
    expect(trimmed(block(leaf.split('\n'), 'interface lo'))).toEqual(['ipv6 address fd00:10:255:1::1/128']);
    expect(leaf).not.toMatch(/address-family ipv4|ip address|network 10\./);
    expect(leaf).toContain(' bgp router-id 10.255.1.1');
    const host = renderFrrConf(v6.routers.find((r) => r.name === 'host1')!, v6);
    expect(host).toContain('ipv6 prefix-list OWN-LOOPBACK6 seq 10 permit fd00:10:255:2::1/128');
    expect(host).not.toMatch(/OWN-LOOPBACK\b|SOURCE-FROM-LOOPBACK|ip protocol bgp/);
  });

  it('a numbered dual-stack router activates the IPv6 family on its IPv4 sessions', () => {
    const numbered = planClos({ name: 'ds', spines: 2, leaves: 2, hosts: 2, underlayFamily: 'dual-stack' });
    const leaf = numbered.routers.find((r) => r.name === 'leaf1')!;
    const conf = renderFrrConf(leaf, numbered);
    expect(family(conf, 'ipv6')).toEqual(['network fd00:10:255:1::1/128', 'maximum-paths 64', ...leaf.interfaces.map((i) => `neighbor ${i.peer.address} activate`)]);
    expect(family(conf, 'ipv4')).toEqual(['network 10.255.1.1/32', 'maximum-paths 64']);
  });

  it('renders no IPv6 family on an IPv4 fabric', () => {
    const v4 = planClos({ name: 'v4', spines: 2, leaves: 2, hosts: 2, unnumbered: true });
    expect(renderFrrConf(v4.routers.find((r) => r.name === 'leaf1')!, v4)).not.toMatch(/ipv6|activate/);
  });
});

describe('renderFrrConf on an OSPF fabric', () => {
  const ospf = planClos({ name: 'o', spines: 2, leaves: 2, hosts: 2, bfdIntervalMs: 150, bfdMultiplier: 4, underlayProtocol: 'ospf' });
  const conf = (r: PlannedRouter) => renderFrrConf(r, ospf).split('\n');

  it.each(ospf.routers.map((r) => [r.name, r] as const))('%s: every link in area 0, point-to-point with 1 s hellos and BFD; its loopback in area 0, passive', (_n, r) => {
    const lines = conf(r);
    expect(trimmed(block(lines, 'interface lo'))).toEqual([`ip address ${r.loopback}`, 'ip ospf area 0.0.0.0', 'ip ospf passive']);
    for (const i of r.interfaces) {
      expect(trimmed(block(lines, `interface ${i.name}`))).toEqual([`description to ${i.peer.node}:${i.peer.iface}`, `ip address ${i.address}`, 'ip ospf area 0.0.0.0', 'ip ospf network point-to-point', 'ip ospf hello-interval 1', 'ip ospf dead-interval 4', 'ip ospf bfd', 'ip ospf bfd profile fabric']);
    }
  });

  it.each(ospf.routers.map((r) => [r.name, r] as const))('%s: router ospf with the loopback as router id, the planned ECMP width and bring-up throttles of a fabric, and no BGP at all', (_n, r) => {
    const lines = conf(r);
    expect(trimmed(block(lines, 'router ospf')).slice(0, 4)).toEqual([`ospf router-id ${r.routerId}`, `maximum-paths ${r.maxPaths}`, 'timers throttle lsa all 100', 'timers throttle spf 0 50 1000']);
    expect(r.maxPaths).toBe(64);
    expect(lines.join('\n')).not.toMatch(/bgp|neighbor|remote-as|prefix-list/);
  });

  it('keeps hosts out of transit (stub router, RFC 6987) and sources what they originate from the loopback; spines and leaves are transit', () => {
    for (const r of ospf.routers) {
      const router = trimmed(block(conf(r), 'router ospf'));
      const host = r.tier === 'compute';
      expect(router.includes('max-metric router-lsa administrative'), r.name).toBe(host);
      expect(conf(r).includes('ip protocol ospf route-map SOURCE-FROM-LOOPBACK'), r.name).toBe(host);
    }
  });

  it('carries the plan’s BFD timers in the profile the interfaces name', () => {
    for (const r of ospf.routers) expect(trimmed(block(conf(r), 'bfd'))).toEqual(['profile fabric', 'detect-multiplier 4', 'receive-interval 150', 'transmit-interval 150', 'exit']);
  });

  it('needs ospfd and bfdd, read back from the configuration, and its daemons file says so', () => {
    for (const r of ospf.routers) expect(daemonsFromConfig(renderFrrConf(r, ospf))).toEqual(['zebra', 'staticd', 'ospfd', 'bfdd']);
    expect(underlayDaemons(ospf)).toEqual(['ospfd', 'bfdd']);
    const text = renderDaemons(underlayDaemons(ospf));
    expect(daemonsFromFile(text)).toEqual(['zebra', 'staticd', 'ospfd', 'bfdd']);
    expect(text.split('\n')).toContain('ospfd_options="  -A 127.0.0.1"');
  });

});

describe('renderFrrConf on an IS-IS fabric', () => {
  const isis = planClos({ name: 'i', spines: 2, leaves: 2, hosts: 2, underlayProtocol: 'isis' });
  const conf = (r: PlannedRouter) => renderFrrConf(r, isis).split('\n');

  it('derives the system id from the loopback: each octet as three digits, grouped by four', () => {
    expect(isisSystemId('10.255.1.3')).toBe('0102.5500.1003');
    expect(isisSystemId('192.168.0.1')).toBe('1921.6800.0001');
    expect(isisSystemId('255.255.255.255')).toBe('2552.5525.5255');
    expect(() => isisSystemId('10.256.0.1')).toThrow('not an IPv4 address: 10.256.0.1');
  });

  it.each(isis.routers.map((r) => [r.name, r] as const))('%s: level-2-only with a NET from its loopback, LSPs regenerated within a second; every link point-to-point with 1 s hellos and BFD, lo passive; no BGP', (_n, r) => {
    const lines = conf(r);
    expect(trimmed(block(lines, 'router isis fabric')).slice(0, 4)).toEqual([`net 49.0001.${isisSystemId(r.routerId)}.00`, 'is-type level-2-only', 'metric-style wide', 'lsp-gen-interval 1']);
    expect(trimmed(block(lines, 'interface lo'))).toEqual([`ip address ${r.loopback}`, 'ip router isis fabric', 'isis passive']);
    for (const i of r.interfaces) {
      expect(trimmed(block(lines, `interface ${i.name}`))).toEqual([`description to ${i.peer.node}:${i.peer.iface}`, `ip address ${i.address}`, 'ip router isis fabric', 'isis network point-to-point', 'isis hello-interval 1', 'isis hello-multiplier 4', 'isis bfd', 'isis bfd profile fabric']);
    }
    expect(lines.join('\n')).not.toMatch(/bgp|ospf|neighbor/);
  });

  it('gives every router its own NET', () => {
    const nets = isis.routers.map((r) => conf(r).find((l) => l.startsWith(' net '))!);
    expect(new Set(nets).size).toBe(isis.routers.length);
    expect(nets[isis.routers.findIndex((r) => r.name === 'leaf1')]).toBe(' net 49.0001.0102.5500.1001.00');
  });

  it('sets the overload bit on hosts only: they stay reachable but never transit', () => {
    for (const r of isis.routers) {
      expect(trimmed(block(conf(r), 'router isis fabric')).includes('set-overload-bit'), r.name).toBe(r.tier === 'compute');
      expect(conf(r).includes('ip protocol isis route-map SOURCE-FROM-LOOPBACK'), r.name).toBe(r.tier === 'compute');
    }
  });

  it('needs isisd and bfdd, read back from the configuration', () => {
    for (const r of isis.routers) expect(daemonsFromConfig(renderFrrConf(r, isis))).toEqual(['zebra', 'staticd', 'isisd', 'bfdd']);
    expect(daemonsFromFile(renderDaemons(underlayDaemons(isis)))).toEqual(['zebra', 'staticd', 'isisd', 'bfdd']);
  });
});

describe('renderFrrConf with --underlay-protocol bgp', () => {
  it('writes exactly what the default writes', () => {
    const explicit = planClos({ name: 'dc', spines: 2, leaves: 4, hosts: 4, bfdIntervalMs: 150, bfdMultiplier: 4, underlayProtocol: 'bgp' });
    for (const r of explicit.routers) expect(renderFrrConf(r, explicit)).toBe(confs.get(r.name)!.join('\n'));
    expect(underlayDaemons(explicit)).toEqual(['bgpd', 'bfdd']);
  });
});

describe('renderFrrConf with link bandwidths (weighted ECMP)', () => {
  const base = { name: 'dc', spines: 2, leaves: 4, hosts: 4, bfdIntervalMs: 150, bfdMultiplier: 4 };
  const lb = planClos({ ...base, linkBandwidth: { leaf1: { eth1: 300, eth2: 100 } } });
  const plain = planClos(base);
  const conf = (p: typeof lb, name: string) => renderFrrConf(p.routers.find((r) => r.name === name)!, p).split('\n');
  const leaf1 = lb.routers.find((r) => r.name === 'leaf1')!;
  // spine1:eth1 and spine2:eth1 are the far ends of leaf1:eth1 and leaf1:eth2.
  const addressOf = (node: string, iface: string) => lb.routers.find((r) => r.name === node)!.interfaces.find((i) => i.name === iface)!.address!.split('/')[0]!;

  it('has the far end of each weighted link send its routes with the bandwidth, as a transitive community (FRR sends no non-transitive one over eBGP), outbound', () => {
    for (const [spine, mbps] of [
      ['spine1', 300],
      ['spine2', 100],
    ] as const) {
      const lines = conf(lb, spine);
      expect(trimmed(block(lines, 'route-map LINK-BANDWIDTH-eth1 permit 10')), spine).toEqual([`set extcommunity bandwidth ${mbps}`]);
      expect(lines.filter((l) => l.includes('LINK-BANDWIDTH')), spine).toEqual(['route-map LINK-BANDWIDTH-eth1 permit 10', `  neighbor ${addressOf('leaf1', spine === 'spine1' ? 'eth1' : 'eth2')} route-map LINK-BANDWIDTH-eth1 out`]);
      expect(lines.indexOf('route-map LINK-BANDWIDTH-eth1 permit 10')).toBeLessThan(lines.indexOf('router bgp 65000'));
    }
  });

  it('has the weighted router pass no extended community on, so the weights stay its own', () => {
    const lines = conf(lb, 'leaf1');
    const added = lines.filter((l) => !conf(plain, 'leaf1').includes(l));
    expect(trimmed(added).sort()).toEqual(leaf1.interfaces.map((i) => `no neighbor ${i.peer.address} send-community extended`).sort());
    const af = lines.slice(lines.indexOf(' address-family ipv4 unicast'), lines.indexOf(' exit-address-family'));
    expect(af.filter((l) => l.includes('send-community'))).toHaveLength(leaf1.interfaces.length);
    expect(daemonsFromConfig(lines.join('\n'))).toEqual(['zebra', 'staticd', 'bgpd', 'bfdd']);
  });

  it('writes every router not at either end of a weighted link exactly as without link bandwidths', () => {
    for (const r of lb.routers.filter((x) => !['leaf1', 'spine1', 'spine2'].includes(x.name))) {
      expect(renderFrrConf(r, lb), r.name).toBe(renderFrrConf(plain.routers.find((x) => x.name === r.name)!, plain));
    }
  });

  it('names an unnumbered neighbor by its interface', () => {
    const un = planClos({ name: 'un', spines: 2, leaves: 2, hosts: 2, unnumbered: true, linkBandwidth: { leaf1: { eth1: 300, eth2: 100 } } });
    expect(conf(un, 'spine1')).toContain('  neighbor eth1 route-map LINK-BANDWIDTH-eth1 out');
    expect(conf(un, 'leaf1')).toContain('  no neighbor eth1 send-community extended');
  });

  it('a host weighing its uplinks: each leaf sends its routes to it with the bandwidth; the host keeps its own outbound filter', () => {
    const p = planClos({ ...base, linkBandwidth: { host1: { eth1: 400, eth2: 100 } } });
    const host1 = p.routers.find((r) => r.name === 'host1')!;
    const bgp = trimmed(block(conf(p, 'host1'), `router bgp ${host1.asn}`));
    for (const i of host1.interfaces) {
      expect(bgp).toContain(`neighbor ${i.peer.address} route-map ONLY-OWN-LOOPBACK out`);
      expect(bgp).toContain(`no neighbor ${i.peer.address} send-community extended`);
      const leaf = conf(p, i.peer.node);
      expect(trimmed(block(leaf, `route-map LINK-BANDWIDTH-${i.peer.iface} permit 10`))).toEqual([`set extcommunity bandwidth ${i.name === 'eth1' ? 400 : 100}`]);
    }
  });
});
