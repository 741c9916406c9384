import { describe, expect, it } from 'vitest';
import { linkEnds, neighbourPins, needsPinning, parseIpAddr } from './pin-neighbours.ts';

// `ip -j addr show` as iproute2 6.1 prints it, trimmed.
const spine1 = JSON.stringify([
  { ifname: 'lo', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }, { family: 'inet', local: '10.255.0.1', prefixlen: 32 }] },
  { ifname: 'eth1', address: '02:aa:00:00:00:01', addr_info: [{ family: 'inet', local: '10.1.0.0', prefixlen: 31 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
  { ifname: 'eth2', address: '02:aa:00:00:00:02', addr_info: [{ family: 'inet', local: '10.1.0.2', prefixlen: 31 }] },
]);
const leaf1 = JSON.stringify([{ ifname: 'eth1', address: '02:bb:00:00:00:01', addr_info: [{ family: 'inet', local: '10.1.0.1', prefixlen: 31 }] }]);
// A chassis uplink: addressed on its OVS bridge, not on the link's end.
const host1 = JSON.stringify([
  { ifname: 'eth1', address: '02:cc:00:00:00:01', addr_info: [] },
  { ifname: 'br-phy', address: '02:cc:00:00:00:ff', addr_info: [{ family: 'inet', local: '10.1.0.3', prefixlen: 31 }] },
]);

const links = [
  { endpoints: [{ node: 'spine1', iface: 'eth1' }, { node: 'leaf1', iface: 'eth1' }] },
  { endpoints: [{ node: 'spine1', iface: 'eth2' }, { node: 'host1', iface: 'eth1' }] },
];
const live = new Map([
  ['spine1', parseIpAddr(spine1)],
  ['leaf1', parseIpAddr(leaf1)],
  ['host1', parseIpAddr(host1)],
]);

describe('neighbourPins', () => {
  it('pins each end’s peer in its subnet, by the peer’s MAC, both ways', () => {
    expect(Object.fromEntries(neighbourPins(links, live))).toEqual({
      spine1: ['neigh replace 10.1.0.1 lladdr 02:bb:00:00:00:01 dev eth1 nud permanent'],
      leaf1: ['neigh replace 10.1.0.0 lladdr 02:aa:00:00:00:01 dev eth1 nud permanent'],
    });
  });

  it('leaves a link whose end carries no address (a chassis uplink) to ordinary ARP, and so a node it cannot read', () => {
    const pins = neighbourPins(links, new Map([...live].filter(([n]) => n !== 'leaf1')));
    expect(pins.size).toBe(0);
  });
});

describe('needsPinning', () => {
  it('pins once the links take more than half the kernel’s soft limit', () => {
    const many = (n: number) => Array.from({ length: n }, () => links[0]!);
    expect(linkEnds(many(128))).toBe(256);
    expect(needsPinning(many(128), 512)).toBe(false);
    expect(needsPinning(many(129), 512)).toBe(true);
  });
});
