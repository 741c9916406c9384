import { describe, expect, it } from 'vitest';
import type { LabNode } from '../model/topology.ts';
import { labDeadlines } from './deadlines.ts';

const node = (name: string, tier: string, frr = false): LabNode => ({ name, kind: 'linux', role: frr ? 'router' : 'host', tier, labels: {}, binds: [], exec: [], sysctls: {}, ...(frr ? { frr: { daemonConfigs: {} } } : {}) });

/** s spines, l leaves, h BGP hosts (FRR), v VMs (no FRR). */
function clos(s: number, l: number, h: number, v = 0): { nodes: LabNode[] } {
  return {
    nodes: [
      ...Array.from({ length: s }, (_, i) => node(`spine${i + 1}`, 'spine', true)),
      ...Array.from({ length: l }, (_, i) => node(`leaf${i + 1}`, 'leaf', true)),
      ...Array.from({ length: h }, (_, i) => node(`host${i + 1}`, 'compute')),
      ...Array.from({ length: v }, (_, i) => node(`vm${i + 1}`, 'vm')),
    ],
  };
}

describe('labDeadlines', () => {
  it('gives 60 s + 0.25 s per FRR router (a compute host runs FRR; a VM does not), rounded up', () => {
    expect(labDeadlines(clos(2, 4, 4, 8))).toMatchObject({ routers: 10, nodes: 18, convergenceS: 63, convergenceFrom: 'lab size' });
    expect(labDeadlines(clos(8, 64, 128)).convergenceS).toBe(110);
    expect(labDeadlines(clos(8, 64, 328)).convergenceS).toBe(160);
  });

  it('lets --convergence-timeout override the convergence deadline, and says so', () => {
    expect(labDeadlines(clos(8, 64, 128), 30)).toMatchObject({ convergenceS: 30, convergenceFrom: '--convergence-timeout' });
  });

  it('gives every check at least 10 s + 25 ms per node', () => {
    expect(labDeadlines(clos(2, 4, 4, 8)).checkMinMs).toBe(10_450);
    expect(labDeadlines(clos(8, 64, 328)).checkMinMs).toBe(20_000);
  });

  it('states its rule', () => {
    expect(labDeadlines(clos(1, 2, 0)).rule).toBe('convergence 60 s + 0.25 s per FRR router; every check at least 10 s + 25 ms per node');
  });
});
