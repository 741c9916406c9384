import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateClos } from '../generate.ts';
import { InvalidInputError } from '../errors.ts';
import type { Intent } from '../model/intent.ts';
import type { Topology } from '../model/topology.ts';
import { planClos, type ClosOptions } from '../plan/clos.ts';
import { intentFileFor, loadIntent, parseIntent } from '../topology/load-intent.ts';
import { loadTopology } from '../topology/load.ts';
import { intentDocument, intentFromPlan } from './intent.ts';

/** Parse a document the way netproof reads it, showing every problem if there are any. */
function reparse(document: Record<string, unknown>, file: string, topology: Topology): Intent {
  try {
    return parseIntent(stringify(document, { lineWidth: 0 }), file, topology);
  } catch (e) {
    if (e instanceof InvalidInputError) expect(e.problems).toEqual([]);
    throw e;
  }
}

describe('intentFromPlan', () => {
  it('declares a dual-stack router\'s IPv6 /128 after its IPv4 /32', () => {
    const plan = planClos({ name: 'x', spines: 1, leaves: 2, hosts: 0, unnumbered: true, underlayFamily: 'dual-stack' });
    expect(intentFromPlan(plan).routers.leaf2?.loopbacks).toEqual(['10.255.1.2/32', 'fd00:10:255:1::2/128']);
  });

  it('declares every planned router with its ASN and /32, hosts on an overlay with one path, and the plan\'s BFD', () => {
    const plan = planClos({ name: 'x', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1, bfdIntervalMs: 200, bfdMultiplier: 4 });
    const intent = intentFromPlan(plan);
    expect(intent.routers).toEqual({
      spine1: { name: 'spine1', asn: 65000, loopbacks: ['10.255.0.1/32'] },
      spine2: { name: 'spine2', asn: 65000, loopbacks: ['10.255.0.2/32'] },
      leaf1: { name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'] },
      leaf2: { name: 'leaf2', asn: 65102, loopbacks: ['10.255.1.2/32'] },
      host1: { name: 'host1', asn: 65301, loopbacks: ['10.255.2.1/32'], maxPaths: 1 },
      host2: { name: 'host2', asn: 65302, loopbacks: ['10.255.2.2/32'], maxPaths: 1 },
      central: { name: 'central', asn: 65300, loopbacks: ['10.255.3.1/32'] },
    });
    expect(Object.keys(intent.routers)).toEqual(plan.routers.map((r) => r.name));
    expect(intent.bfd).toEqual({ required: true, timers: { transmitIntervalMs: 200, receiveIntervalMs: 200, detectMultiplier: 4 } });
    expect(intent.multipathHash).toBe('l4');
    expect(intent.failover).toEqual({});
    expect(intent).not.toHaveProperty('tolerance');
  });

  it('without an overlay, hosts use every path: max-paths is left out', () => {
    const intent = intentFromPlan(planClos({ name: 'x', spines: 1, leaves: 2, hosts: 1 }));
    expect(intent.routers.host1).toEqual({ name: 'host1', asn: 65301, loopbacks: ['10.255.2.1/32'] });
    expect(intent.bfd?.timers).toEqual({ transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 });
  });
});

describe('intentFromPlan with link bandwidths', () => {
  it('declares the planned link bandwidths on the router that has them, and on no other', () => {
    const intent = intentFromPlan(planClos({ name: 'x', spines: 2, leaves: 2, hosts: 2, linkBandwidth: { leaf1: { eth1: 300, eth2: 100 } } }));
    expect(intent.routers.leaf1).toEqual({ name: 'leaf1', asn: 65101, loopbacks: ['10.255.1.1/32'], linkBandwidthMbps: { eth1: 300, eth2: 100 } });
    for (const r of Object.values(intent.routers).filter((x) => x.name !== 'leaf1')) expect(r, r.name).not.toHaveProperty('linkBandwidthMbps');
  });
});

describe('intentDocument', () => {
  it('writes the kebab-case format, routers in the given order, leaving out what is not declared', () => {
    const intent: Omit<Intent, 'file'> = {
      routers: {
        leaf1: { name: 'leaf1', asn: 65101 },
        spine1: { name: 'spine1', loopbacks: ['10.255.0.1/32'], maxPaths: 8, bfd: { transmitIntervalMs: 100, receiveIntervalMs: 150, detectMultiplier: 5 } },
      },
      bfd: { required: false, timers: { transmitIntervalMs: 300, receiveIntervalMs: 300, detectMultiplier: 3 } },
      failover: { carrier: { lossBudgetMs: 900 } },
      multipathHash: 'l3',
      tolerance: { relative: 0.25 },
    };
    const d = intentDocument(intent);
    expect(d).toEqual({
      routers: {
        leaf1: { asn: 65101 },
        spine1: { loopbacks: ['10.255.0.1/32'], 'max-paths': 8, bfd: { 'transmit-interval': 100, 'receive-interval': 150, 'detect-multiplier': 5 } },
      },
      bfd: { required: false, 'transmit-interval': 300, 'receive-interval': 300, 'detect-multiplier': 3 },
      failover: { carrier: { 'loss-budget-ms': 900 } },
      multipath: { hash: 'l3' },
      tolerance: { figures: '25%' },
    });
    expect(Object.keys(d.routers as object)).toEqual(['leaf1', 'spine1']);
    expect(intentDocument({ routers: {}, failover: {} })).toEqual({});
  });

  it('writes link bandwidths as link-bandwidth, by interface', () => {
    expect(intentDocument({ routers: { leaf1: { name: 'leaf1', asn: 65101, linkBandwidthMbps: { eth1: 300, eth2: 100 } } }, failover: {} })).toEqual({
      routers: { leaf1: { asn: 65101, 'link-bandwidth': { eth1: 300, eth2: 100 } } },
    });
  });

  it('writes a tolerance that is no whole per cent as the fraction itself', () => {
    expect(intentDocument({ routers: {}, failover: {}, tolerance: { relative: 0.125 } }).tolerance).toEqual({ figures: '12.5%' });
    expect(intentDocument({ routers: {}, failover: {}, tolerance: { relative: 1 / 3 } }).tolerance).toEqual({ figures: 1 / 3 });
  });
});

describe('a generated lab\'s intent', () => {
  it.each<Omit<ClosOptions, 'name'>>([
    { spines: 2, leaves: 4, hosts: 4, vmsPerHost: 1 },
    { spines: 1, leaves: 2, hosts: 0 },
    { spines: 4, leaves: 6, hosts: 9, vmsPerHost: 2 },
    { spines: 2, leaves: 2, hosts: 2, linkBandwidth: { leaf1: { eth1: 300, eth2: 100 }, host2: { eth1: 25600, eth2: 1 } } },
  ])('round-trips: parseIntent(stringify(intentDocument(x))) is x (%o)', async (opts) => {
    const tmp = await mkdtemp(join(tmpdir(), 'netproof-intent-'));
    try {
      const plan = planClos({ name: 'rt', ...opts });
      const lab = await generateClos({ name: 'rt', ...opts }, tmp);
      const topology = await loadTopology(lab.file);
      const file = intentFileFor(lab.file);
      const expected = intentFromPlan(plan);
      expect(reparse(intentDocument(expected), file, topology)).toStrictEqual({ file, ...expected });
      // And what generate wrote is that document, behind its header.
      const written = await readFile(file, 'utf8');
      expect(written.split('\n')[1]).toMatch(/^# The declared intent of rt\.clab\.yml: /);
      expect(parse(written)).toEqual(intentDocument(expected));
      expect(await loadIntent(topology)).toStrictEqual({ file, ...expected });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('round-trips every optional part too', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'netproof-intent-'));
    try {
      const lab = await generateClos({ name: 'rt', spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1 }, tmp);
      const topology = await loadTopology(lab.file);
      const file = intentFileFor(lab.file);
      const x: Omit<Intent, 'file'> = {
        routers: {
          host2: { name: 'host2', asn: 65302, loopbacks: ['10.255.2.2/32', '10.255.2.102/32'], maxPaths: 1, bfd: { transmitIntervalMs: 100, receiveIntervalMs: 100, detectMultiplier: 2 } },
          spine1: { name: 'spine1' },
        },
        bfd: { required: true, timers: { transmitIntervalMs: 300, receiveIntervalMs: 250, detectMultiplier: 3 } },
        failover: { grey: { lossBudgetMs: 1400 }, carrier: { lossBudgetMs: 700 } },
        multipathHash: 'l3',
        tolerance: { relative: 0.07 },
      };
      const back = reparse(intentDocument(x), file, topology);
      expect(back).toStrictEqual({ file, ...x });
      expect(Object.keys(back.routers)).toEqual(['host2', 'spine1']);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
