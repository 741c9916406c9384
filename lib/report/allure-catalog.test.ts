import { describe, expect, test } from 'vitest';
import { FAILURE_CATEGORIES, PLANE_LABEL, planeOf, SUITE_CATALOG } from './allure-catalog.ts';

// SUITE_NAMES of lib/cli/run.ts, copied: lib/report may not import lib/cli (lib/layers.test.ts).
const SUITE_NAMES = ['frr-config', 'bgp-convergence', 'igp', 'intent', 'overlay-reachability', 'geneve-mtu', 'acl', 'nat', 'load-balancer', 'ecmp-spread', 'bfd-failover', 'gateway-failover'];

describe('SUITE_CATALOG', () => {
  test('describes exactly the built-in suites', () => {
    expect(Object.keys(SUITE_CATALOG).sort()).toEqual([...SUITE_NAMES].sort());
  });

  test('every suite has a feature and an impact', () => {
    const missing = Object.entries(SUITE_CATALOG).filter(([, m]) => !m.feature || !m.impact).map(([n]) => n);
    expect(missing).toEqual([]);
  });
});

describe('planeOf', () => {
  test('a daemon that is not running is the environment, whatever the suite', () => {
    expect(planeOf('bgp-convergence', 'sessions up', 'host1: ovs-vswitchd is not running')).toBe('environment');
    expect(planeOf(undefined, 'mine', 'spawn vtysh ENOENT')).toBe('environment');
  });

  test('a test about the RIB and FIB is control plane even in a data-plane suite', () => {
    expect(SUITE_CATALOG['ecmp-spread']!.plane).toBe('data plane');
    expect(planeOf('ecmp-spread', 'every router has the loopback in its RIB and kernel FIB with 4 paths', 'leaf1: 10.0.0.1/32 missing')).toBe('control plane');
  });

  test('otherwise the suite\'s plane', () => {
    expect(planeOf('bgp-convergence', 'sessions up', 'leaf1: 10.0.0.1/32 missing')).toBe('control plane');
    expect(planeOf('acl', 'vm1 reaches vm2 on tcp/22', 'no reply')).toBe('data plane');
    expect(planeOf('acl', 'vm1 reaches vm2 on tcp/22', undefined)).toBe('data plane');
  });

  test('an unknown suite or a user\'s check is data plane', () => {
    expect(planeOf('no-such-suite', 'x', 'boom')).toBe('data plane');
    expect(planeOf(undefined, 'x', undefined)).toBe('data plane');
  });
});

describe('FAILURE_CATEGORIES', () => {
  test('one category per plane by the plane label, and one for flaky checks', () => {
    expect(FAILURE_CATEGORIES.map((c) => c.id)).toEqual(['environment', 'control-plane', 'data-plane', 'flaky']);
    const byPlane = FAILURE_CATEGORIES.flatMap((c) => ('labels' in c.matchers ? [c.matchers.labels[PLANE_LABEL]] : []));
    expect(byPlane).toEqual(['environment', 'control plane', 'data plane']);
  });
});
