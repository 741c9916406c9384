import { describe, expect, it } from 'vitest';
import { bfdPeersNotEstablished, startedAfterBgp } from './bfd-after-bgp.ts';

describe('startedAfterBgp', () => {
  it('defers bfdd only when bgpd runs beside it', () => {
    expect(startedAfterBgp(['zebra', 'bgpd', 'staticd', 'bfdd'])).toEqual(['bfdd']);
    expect(startedAfterBgp(['zebra', 'staticd', 'bfdd'])).toEqual([]);
    expect(startedAfterBgp(['zebra', 'bgpd', 'staticd'])).toEqual([]);
  });
});

describe('bfdPeersNotEstablished (show bgp neighbors json)', () => {
  it('lists the peers with BFD configured whose session is not established', () => {
    const neighbors = {
      '10.1.0.0': { bgpState: 'Established', peerBfdInfo: { type: 'single hop' } },
      '10.1.0.2': { bgpState: 'Active', peerBfdInfo: { type: 'single hop' } },
      '10.1.0.4': { bgpState: 'Connect' },
    };
    expect(bfdPeersNotEstablished(neighbors)).toEqual(['10.1.0.2']);
  });

  it('is empty for a router without peers', () => {
    expect(bfdPeersNotEstablished({})).toEqual([]);
  });
});
