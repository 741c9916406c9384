import { describe, expect, it } from 'vitest';
import type { Intent } from '../model/intent.ts';
import type { LabNode } from '../model/topology.ts';
import { declaredRouters, notDeclaredReason } from './declared-routers.ts';

const node = (name: string, tier: string, labels: Record<string, string> = {}): LabNode => ({ name, kind: 'linux', role: 'router', tier, labels, binds: [], exec: [], sysctls: {} });
const nodes = [node('spine1', 'spine'), node('leaf1', 'leaf'), node('host1', 'compute', { 'netproof.max-paths': '1' })];
const intent = (routers: Intent['routers']): Intent => ({ file: '/labs/dc/dc.intent.yml', routers, failover: {} });

describe('declaredRouters', () => {
  it('takes ASN, loopbacks and max-paths from the intent and transit from the tier', () => {
    const { routers, undeclared } = declaredRouters(
      nodes,
      intent({
        spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] },
        leaf1: { name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'], maxPaths: 2 },
        host1: { name: 'host1', asn: 65201, loopbacks: ['10.255.2.1/32'] },
      }),
      ['spine1', 'leaf1', 'host1'],
    );
    expect(undeclared).toEqual([]);
    expect(routers).toEqual([
      { name: 'spine1', asn: 65000, transit: true, maxPaths: 64, loopbacks: ['10.255.0.1/32'] },
      { name: 'leaf1', asn: 65101, transit: true, maxPaths: 2, loopbacks: ['10.255.1.1/32'] },
      { name: 'host1', asn: 65201, transit: false, maxPaths: 1, loopbacks: ['10.255.2.1/32'] },
    ]);
  });

  it('names every router whose ASN or loopbacks nobody declared, and never invents them', () => {
    const { routers, undeclared } = declaredRouters(nodes, intent({ spine1: { name: 'spine1', asn: 65000 } }), ['spine1', 'leaf1']);
    expect(undeclared).toEqual(['the loopbacks of spine1', 'the ASN of leaf1', 'the loopbacks of leaf1']);
    expect(routers[1]).toMatchObject({ name: 'leaf1', loopbacks: [] });
    expect(Number.isNaN(routers[1]!.asn)).toBe(true);
  });

  it('without an intent file, says so once', () => {
    const { undeclared } = declaredRouters(nodes, undefined, ['spine1', 'leaf1']);
    expect(undeclared).toEqual(["the routers' ASNs and loopbacks (the lab has no intent file)"]);
    expect(notDeclaredReason(undeclared, '/labs/x/x.intent.yml')).toBe(
      "not declared: the routers' ASNs and loopbacks (the lab has no intent file) — declare them in /labs/x/x.intent.yml (netproof intent LAB prints one from a lab that works)",
    );
    expect(notDeclaredReason([], 'f')).toBeUndefined();
  });
});

describe('declaredRouters: link bandwidths', () => {
  it('passes the declared link bandwidths on, and leaves them out where none are declared', () => {
    const { routers } = declaredRouters(
      nodes,
      intent({
        spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] },
        leaf1: { name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'], linkBandwidthMbps: { eth1: 300, eth2: 100 } },
      }),
      ['spine1', 'leaf1'],
    );
    expect(routers[1]).toEqual({ name: 'leaf1', asn: 65101, transit: true, maxPaths: 64, loopbacks: ['10.255.1.1/32'], linkBandwidthMbps: { eth1: 300, eth2: 100 } });
    expect(routers[0]).not.toHaveProperty('linkBandwidthMbps');
  });
});
