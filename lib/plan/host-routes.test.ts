import { describe, expect, it } from 'vitest';
import { expectedHostPairs, hostAddressing } from './host-routes.ts';

const host = (name: string, lines: string[]) => hostAddressing({ name, exec: lines.map((l) => l.split(' ')) });

describe('hostAddressing', () => {
  it('reads ip addr add and ip route add/replace, default included, and ignores the rest', () => {
    expect(host('PC1', ['ip link set eth1 up', 'ip addr add 192.168.11.2/24 dev eth1', 'ip route add 192.168.0.0/16 via 192.168.11.1 dev eth1', 'ip route replace 0/0 via 192.168.11.1', 'ip -6 addr add 2001:db8::2/64 dev eth1'])).toEqual({
      node: 'PC1',
      addresses: [{ iface: 'eth1', cidr: '192.168.11.2/24' }],
      routes: [
        { prefix: '192.168.0.0/16', via: '192.168.11.1' },
        { prefix: '0.0.0.0/0', via: '192.168.11.1' },
      ],
    });
  });
});

describe('expectedHostPairs', () => {
  const pc1 = host('PC1', ['ip addr add 192.168.11.2/24 dev eth1', 'ip route add 192.168.0.0/16 via 192.168.11.1 dev eth1']);
  const pc2 = host('PC2', ['ip addr add 192.168.12.2/24 dev eth1', 'ip route add 192.168.0.0/16 via 192.168.12.1 dev eth1']);
  const lonely = host('ext', ['ip addr add 172.24.4.1/24 dev br0']);

  it('expects a pair where the source’s own route covers the destination, and says which', () => {
    expect(expectedHostPairs([pc1, pc2, lonely])).toEqual([
      { src: 'PC1', dst: 'PC2', dstIp: '192.168.12.2', because: "PC1's route 192.168.0.0/16 via 192.168.11.1" },
      { src: 'PC2', dst: 'PC1', dstIp: '192.168.11.2', because: "PC2's route 192.168.0.0/16 via 192.168.12.1" },
    ]);
  });

  it('expects hosts on one subnet to reach each other without a route', () => {
    const a = host('a', ['ip addr add 10.0.0.1/24 dev eth1']);
    const b = host('b', ['ip addr add 10.0.0.2/24 dev eth1']);
    expect(expectedHostPairs([a, b]).map((p) => p.because)).toEqual(["on a's own subnet 10.0.0.1/24", "on b's own subnet 10.0.0.2/24"]);
  });
});
