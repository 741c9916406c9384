import { describe, expect, it } from 'vitest';
import { anonymousGateway, hopName, loopbacks, type InterfaceAddress } from './kernel.ts';

describe('hopName', () => {
  it('names a numbered next hop by its gateway, whatever its device (a chassis sends over br-phy)', () => {
    expect(hopName({ gateway: '10.1.0.1', dev: 'br-phy' })).toBe('10.1.0.1');
  });

  it('names an unnumbered next hop by its interface: FRR 8.4 installs every one via 169.254.0.1 onlink', () => {
    expect(hopName({ gateway: '169.254.0.1', dev: 'eth2' })).toBe('eth2');
    expect(hopName({ gateway: 'fe80::1', dev: 'eth1' })).toBe('eth1');
  });

  it('keeps an anonymous gateway when there is no device to name it by, and calls a hop with neither connected', () => {
    expect(hopName({ gateway: '169.254.0.1' })).toBe('169.254.0.1');
    expect(hopName({})).toBe('(connected)');
  });
});

describe('anonymousGateway', () => {
  it('is true only for the RFC 5549 stand-in and IPv6 addresses', () => {
    expect(['169.254.0.1', 'fe80::a8c1:abff:fe00:1', '10.1.0.1', '169.254.0.2'].map(anonymousGateway)).toEqual([true, true, false, false]);
  });
});

describe('loopbacks', () => {
  const addr = (iface: string, family: 'inet' | 'inet6', local: string, prefixlen: number, scope = 'global'): InterfaceAddress => ({ iface, family, local, prefixlen, scope });

  it('lists the global IPv4 /32s first, then the global IPv6 /128s; link addresses and link-local ones are not loopbacks', () => {
    const addrs = [
      addr('lo', 'inet', '127.0.0.1', 8, 'host'),
      addr('lo', 'inet6', 'fd00:10:255:1::1', 128),
      addr('lo', 'inet', '10.255.1.1', 32),
      addr('lo', 'inet6', '::1', 128, 'host'),
      addr('eth1', 'inet', '10.1.0.1', 31),
      addr('eth1', 'inet6', 'fe80::1', 64, 'link'),
    ];
    expect(loopbacks(addrs)).toEqual(['10.255.1.1/32', 'fd00:10:255:1::1/128']);
  });
});
