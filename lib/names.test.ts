import { describe, expect, it } from 'vitest';
import { IFACE_NAME, ifaceNameProblem, LAB_NAME, namespaceName, NODE_NAME, NS_PREFIX, parseNamespaceName } from './names.ts';

describe('LAB_NAME', () => {
  it.each(['dc', 'lab-1', 'Lab_2', '0lab', 'a'.repeat(32)])('accepts %j', (name) => {
    expect(LAB_NAME.test(name)).toBe(true);
  });
  it.each(['', 'a.b', '-lab', '_lab', 'a b', 'a/b', 'a'.repeat(33), 'lab|x'])('rejects %j', (name) => {
    expect(LAB_NAME.test(name)).toBe(false);
  });
});

describe('NODE_NAME', () => {
  it.each(['leaf1', 'spine-1', 'host_1', 'R1', 'a'.repeat(40)])('accepts %j', (name) => {
    expect(NODE_NAME.test(name)).toBe(true);
  });
  it.each(['', 'leaf.1', 'a|b', '-a', 'a b', 'a/b', 'a'.repeat(41)])('rejects %j', (name) => {
    expect(NODE_NAME.test(name)).toBe(false);
  });
});

describe('ifaceNameProblem', () => {
  it.each(['eth1', 'eth1.100', 'swp_1', 'e-1', 'a'.repeat(15)])('accepts %j', (name) => {
    expect(ifaceNameProblem(name)).toBeUndefined();
    expect(IFACE_NAME.test(name)).toBe(true);
  });

  it.each(['', 'a'.repeat(16), 'eth 1', 'eth/1', 'eth:1', '.eth1', '-eth1'])('rejects %j as not a Linux interface name', (name) => {
    expect(ifaceNameProblem(name)).toMatch(/not a valid Linux interface name/);
  });

  it('reserves eth0 for the containerlab management interface', () => {
    expect(ifaceNameProblem('eth0')).toMatch(/reserved.*management/);
  });

  it.each(['lo', 'all', 'default', 'dev', 'up', 'down'])('reserves %j, which ip(8) would misread or the node owns', (name) => {
    expect(ifaceNameProblem(name)).toMatch(/reserved/);
  });
});

describe('namespace names', () => {
  it('joins prefix, lab and node with dots', () => {
    expect(namespaceName('dc', 'leaf1')).toBe(`${NS_PREFIX}.dc.leaf1`);
  });

  it('parses back what namespaceName builds', () => {
    for (const [lab, node] of [['dc', 'leaf1'], ['lab_2', 'host-10'], ['x', 'y']] as const) {
      expect(parseNamespaceName(namespaceName(lab, node))).toEqual({ lab, node });
    }
  });

  it.each([
    ['another prefix', 'xx.dc.leaf1'],
    ['too few parts', `${NS_PREFIX}.dc`],
    ['too many parts', `${NS_PREFIX}.dc.leaf1.extra`],
    ['an empty lab', `${NS_PREFIX}..leaf1`],
    ['an invalid node', `${NS_PREFIX}.dc.-leaf`],
    ['a foreign namespace', 'cni-1234'],
  ])('ignores a namespace with %s (%j)', (_why, ns) => {
    expect(parseNamespaceName(ns)).toBeUndefined();
  });
});
