import { describe, expect, test } from 'vitest';
import { culpritsFromFailures } from './culprits.ts';

const topology = {
  nodes: ['spine1', 'spine2', 'leaf1', 'leaf3', 'leaf10', 'host1'].map((name) => ({ name })),
  links: [
    { a: { node: 'spine1', iface: 'eth2' }, b: { node: 'leaf3', iface: 'eth1' } },
    { a: { node: 'spine1', iface: 'eth1' }, b: { node: 'leaf1', iface: 'eth1' } },
  ],
};

const read = (errors: string[], name = 'bgp > sessions up') => culpritsFromFailures([{ name, errors }], topology);
const none = { nodes: {}, links: {}, sessions: {} };

describe('culpritsFromFailures', () => {
  test('a session line blames the session, keyed by the sorted node names', () => {
    const line = 'leaf1: session to spine1 (10.0.0.1) over eth1 is Idle, expected Established';
    expect(read([line])).toEqual({ nodes: {}, links: {}, sessions: { 'leaf1 ↔ spine1': `${line} (bgp > sessions up)` } });
  });

  test('a line led by a node blames the node', () => {
    const line = 'host1: ovs-vswitchd is not running';
    expect(read([line], 'daemons')).toEqual({ nodes: { host1: `${line} (daemons)` }, links: {}, sessions: {} });
  });

  test('a link named in either order, with <-> or ↔, is keyed in topology order', () => {
    const key = 'spine1:eth2 <-> leaf3:eth1';
    for (const line of ['loss on spine1:eth2 <-> leaf3:eth1 over budget', 'loss on leaf3:eth1 <-> spine1:eth2 over budget', 'loss on leaf3:eth1 ↔ spine1:eth2 over budget']) {
      expect(read([line], 'bfd')).toEqual({ nodes: {}, links: { [key]: `${line} (bfd)` }, sessions: {} });
    }
  });

  test('a link line led by a node blames the link, not the node', () => {
    const line = 'spine1: loss window 1412 ms on spine1:eth2 <-> leaf3:eth1';
    expect(read([line], 'bfd')).toEqual({ nodes: {}, links: { 'spine1:eth2 <-> leaf3:eth1': `${line} (bfd)` }, sessions: {} });
  });

  test('leaf10 is not read as leaf1', () => {
    expect(read(['leaf10: session to spine1 is Idle'])).toEqual({ nodes: {}, links: {}, sessions: { 'leaf10 ↔ spine1': 'leaf10: session to spine1 is Idle (bgp > sessions up)' } });
    expect(read(['spine2: session to leaf10 is Active']).sessions).toEqual({ 'leaf10 ↔ spine2': 'spine2: session to leaf10 is Active (bgp > sessions up)' });
  });

  test('names the topology does not have are ignored', () => {
    expect(read(['leaf9: bgpd is not running', 'loss on leaf9:eth1 <-> spine1:eth9', 'spine1:eth2 <-> leaf3:eth9 down'])).toEqual(none);
    // A session to an unknown peer blames the node that reported it.
    expect(read(['leaf1: session to leaf9 is Idle'])).toEqual({ nodes: { leaf1: 'leaf1: session to leaf9 is Idle (bgp > sessions up)' }, links: {}, sessions: {} });
  });

  test('strips bullets and indentation', () => {
    expect(read(['  - host1: ovs-vswitchd is not running'], 't').nodes).toEqual({ host1: 'host1: ovs-vswitchd is not running (t)' });
    expect(read(['✗ host1: ovs-vswitchd is not running'], 't').nodes).toEqual({ host1: 'host1: ovs-vswitchd is not running (t)' });
  });

  test('reads a multi-line error line by line', () => {
    const error = 'sessions not Established:\n  - leaf1: session to spine1 is Idle\n  - host1: ovs-vswitchd is not running\n    at suites/bgp.test.ts:12';
    expect(read([error], 't')).toEqual({
      nodes: { host1: 'host1: ovs-vswitchd is not running (t)' },
      links: {},
      sessions: { 'leaf1 ↔ spine1': 'leaf1: session to spine1 is Idle (t)' },
    });
  });

  test('the first reason for a culprit is kept', () => {
    const c = culpritsFromFailures([{ name: 'one', errors: ['host1: first'] }, { name: 'two', errors: ['host1: second'] }], topology);
    expect(c.nodes).toEqual({ host1: 'host1: first (one)' });
  });

  test('a long line is cut to 200 characters in the reason', () => {
    const line = `host1: ${'x'.repeat(300)}`;
    expect(read([line], 't').nodes!.host1).toBe(`${line.slice(0, 199)}… (t)`);
  });
});

describe('a dependent check', () => {
  test('does not take the reason from the check that found the culprit', () => {
    const topology = { nodes: [{ name: 'leaf2' }, { name: 'leaf1' }], links: [] };
    const line = 'leaf2: 10.255.1.1/32 (loopback of leaf1) has 1 next hop in the RIB';
    const c = culpritsFromFailures(
      [
        { name: 'BFD failover > before any fault', errors: [`precondition failed: the fabric converged\n${line}`] },
        { name: 'BGP convergence > routes', errors: [line] },
      ],
      topology,
    );
    expect(Object.keys(c.nodes ?? {})).toEqual(['leaf2']);
    expect(c.nodes?.leaf2).toContain('(BGP convergence > routes)');
  });
});
