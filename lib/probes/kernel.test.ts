import { describe, expect, it } from 'vitest';
import { anonymousGateway, hopName } from './kernel.ts';

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
